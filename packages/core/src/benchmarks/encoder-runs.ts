/**
 * The runs a benchmark's vector arms take an encoder from (`encoder: 'run:<run id>'`, or a
 * hybrid's `encoder: 'classifier'` with a `classifier_run`), checked when the benchmark is
 * submitted: each must exist, have succeeded, be a fine-tuning run (its model is the encoder;
 * a baseline such as TF-IDF + logistic regression has none) and have trained on the
 * benchmark's dataset. A 422 problem naming the arm's field otherwise, before any job runs.
 */
import type { Database } from '../db/connect'
import { ProblemError } from '../errors'
import { getBenchmark } from '../repositories/benchmarks'
import { getRun } from '../repositories/runs'
import { ENCODER_RUN_METHODS, RUN_ENCODER_PREFIX } from './methods'
import type { Arm } from './spec'

export async function checkEncoderRuns(db: Database, arms: readonly Arm[], datasetId: string): Promise<void> {
  for (const [armIndex, arm] of arms.entries()) {
    if (arm.method !== 'embed' && arm.method !== 'index' && arm.method !== 'vector-bench' && arm.method !== 'hybrid') continue
    const valuesOf = (field: string) => [arm.config[field], ...((arm.grid[field] as unknown[] | undefined) ?? [])].filter((value): value is string => typeof value === 'string')
    const encoders = valuesOf('encoder')
    for (const encoder of encoders) {
      if (encoder.startsWith(RUN_ENCODER_PREFIX)) await checkEncoderRun(db, encoder.slice(RUN_ENCODER_PREFIX.length), datasetId, `arms.${armIndex}.config.encoder`, `arms[${armIndex}] (${arm.method}) encoder ${encoder}`)
    }
    if (arm.method === 'hybrid' && encoders.includes('classifier')) {
      for (const runId of valuesOf('classifier_run')) await checkEncoderRun(db, runId, datasetId, `arms.${armIndex}.config.classifier_run`, `arms[${armIndex}] (hybrid) encoder classifier (the encoder of classifier_run ${runId})`)
    }
  }
}

async function checkEncoderRun(db: Database, runId: string, datasetId: string, path: string, what: string): Promise<void> {
  const refuse = (message: string): never => {
    throw new ProblemError('validation-failed', `${what}: ${message}`, [{ path, message }])
  }
  const run = await getRun(db, runId).catch((error: unknown) => {
    if (error instanceof ProblemError && error.code === 'not-found') return refuse(`run ${runId} does not exist`)
    throw error
  })
  if (!(ENCODER_RUN_METHODS as readonly string[]).includes(run.method)) {
    refuse(`run ${runId} is a ${run.method} run, which has no encoder of its own; name a fine-tuning run (${ENCODER_RUN_METHODS.join(', ')}) or use encoder base or tfidf-svd`)
  }
  if (run.status !== 'succeeded') refuse(`run ${runId} is ${run.status}; an encoder is taken from a succeeded run`)
  const benchmark = await getBenchmark(db, run.benchmarkId)
  if (benchmark.datasetId !== datasetId) refuse(`run ${runId} was trained on dataset ${benchmark.datasetId}, not this benchmark's ${datasetId}`)
}
