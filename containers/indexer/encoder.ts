/**
 * A vector arm's `encoder` setting as the embedding step's EncoderSpec: `base` (the benchmark's
 * base model, mean-pooled), `tfidf-svd` (TF-IDF + truncated SVD, the run's seed), `run:<run id>`
 * (that finished fine-tuning run's own encoder) or, for a hybrid, `classifier` (the encoder of
 * the run whose classifier it mixes, which must be a fine-tuning run).
 */
import { ENCODER_RUN_METHODS, getBenchmark, RUN_ENCODER_PREFIX, type Database, type RunOf, type RunRow } from '@bankbench/core'
import { benchmarkBaseModel } from '@bankbench/model-store'
import type { EncoderSpec } from '@bankbench/vector-stores/embeddings'

export async function encoderSpecOf(db: Database, run: Pick<RunOf, 'benchmarkId' | 'config'>, encoder: string, classifierRun?: Pick<RunRow, 'id' | 'method'>): Promise<EncoderSpec> {
  if (encoder === 'base') return { kind: 'base', baseModel: await benchmarkBaseModel(db, await getBenchmark(db, run.benchmarkId)) }
  if (encoder === 'tfidf-svd') return { kind: 'tfidf-svd', seed: run.config.seed }
  if (encoder.startsWith(RUN_ENCODER_PREFIX)) return { kind: 'run', runId: encoder.slice(RUN_ENCODER_PREFIX.length) }
  if (encoder === 'classifier' && classifierRun) {
    if (!(ENCODER_RUN_METHODS as readonly string[]).includes(classifierRun.method)) {
      throw new Error(`encoder classifier: the classifier run ${classifierRun.id} is a ${classifierRun.method} run, which has no encoder of its own (use a fine-tuning run, or encoder base or tfidf-svd)`)
    }
    return { kind: 'run', runId: classifierRun.id }
  }
  throw new Error(`unknown encoder ${JSON.stringify(encoder)}: base, tfidf-svd, run:<run id>${classifierRun ? ' or classifier' : ''}`)
}
