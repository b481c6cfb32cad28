/**
 * The select job's second learner (issue 14): what the labels a strategy chose are worth
 * to the method a bank deploys. At chosen budgets the benchmark's base model is
 * fine-tuned with a PEFT method (LoRA by default, the engine's defaults) on the first
 * that-many rows the strategy labelled, best epoch on the validation split, scored on
 * the test split; and once per seed on every pool row, the reference those subsets are
 * measured against. Each finished fine-tune is saved with the run, so a retried job
 * redoes none; the full-data reference is shared by the benchmark's runs of one seed
 * (the same rows, seed and settings give the same model whatever the strategy).
 */
import { getBenchmark, type ArtifactStore, type RunContext, type SelectionPeftPoint, type SelectionPeftSummary } from '@bankbench/core'
import type { PeftMethodName } from '@bankbench/engine'
import { accuracyAndMacroF1 } from '@bankbench/selection'
import { trainerCheckpoints } from './training-progress'

/** A budget the PEFT learner is asked for: where the fast learner first reached 95% of its full-data accuracy, half the pool, or a number of labels. */
export type PeftBudget = 'target' | 'half' | number

export interface PeftLearnerRequest {
  method: PeftMethodName
  budgets: readonly PeftBudget[]
  epochs: number
  /** Pool rows in the order the strategy labelled them (the simulation's state). */
  labeled: readonly number[]
  /** Labels at the first round at or above 95% of the fast learner's full-data accuracy; null when none was. */
  labelsAtTarget: number | null
}

/** Each asked budget as a number of labels, or the reason it cannot be run (a budget the simulation never labelled). */
export function resolvePeftBudgets(budgets: readonly PeftBudget[], poolSize: number, labeledCount: number, labelsAtTarget: number | null): { budget: PeftBudget; labels: number | null; reason: string | null }[] {
  return budgets.map((budget) => {
    if (budget === 'target') {
      return labelsAtTarget === null
        ? { budget, labels: null, reason: `the fast learner did not reach 95% of its full-data accuracy within ${labeledCount} labels` }
        : { budget, labels: labelsAtTarget, reason: null }
    }
    const labels = budget === 'half' ? Math.floor(poolSize / 2) : budget
    return labels > labeledCount
      ? { budget, labels: null, reason: `${labels} labels${budget === 'half' ? ' (half the pool)' : ''} exceed the ${labeledCount} the simulation labelled: raise budget` }
      : { budget, labels, reason: null }
  })
}

export async function runPeftLearner(context: RunContext, request: PeftLearnerRequest): Promise<SelectionPeftSummary> {
  const { run, dataset, store } = context
  // The engine only when asked for: the fast learner needs no tensors.
  const { fineTuneClassifier, initBackend, optimizerOptions, trainSettings } = await import('@bankbench/engine')
  const { benchmarkBaseModel, resolveBaseModel } = await import('@bankbench/model-store')
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const benchmark = await getBenchmark(context.db, run.benchmarkId)
  const base = await resolveBaseModel(store, await benchmarkBaseModel(context.db, benchmark), context.db)
  const settings = trainSettings(request.method, {})
  const resolved = resolvePeftBudgets(request.budgets, dataset.train.length, request.labeled.length, request.labelsAtTarget)
  const saved = peftCheckpoint(store, run.id)
  const done = await saved.load()
  const shared = sharedReference(store, run.benchmarkId, request.method, request.epochs, run.seed)

  const fineTune = async (labels: number, rows: readonly number[], checkpointName: string): Promise<Omit<SelectionPeftPoint, 'budget'>> => {
    const started = performance.now()
    const fineTuned = await fineTuneClassifier({
      base: base.checkpoint,
      labels: dataset.labels,
      train: rows.map((row) => dataset.train[row]!),
      validation: dataset.validation,
      method: request.method,
      peftConfig: settings.peftConfig,
      maxLength: settings.maxLength,
      epochs: request.epochs,
      ...optimizerOptions(settings),
      seed: run.seed,
      signal: context.signal,
      // One run fine-tunes several times: its loss curve would interleave them, so epochs are logged, not streamed.
      onEpoch: (record) => context.log(`${request.method} on ${labels} labels, epoch ${record.epoch + 1}: train loss ${record.trainLoss.toFixed(4)}`
        + `${record.validation ? `, validation accuracy ${(record.validation.accuracy * 100).toFixed(2)}%` : ''}`),
      ...trainerCheckpoints(store, run.id, checkpointName),
    })
    const { classifier, result } = fineTuned
    try {
      if (result.status === 'cancelled') context.signal.throwIfAborted()
      const classOf = new Map(dataset.labels.map((label, index) => [label, index]))
      const predicted = Int32Array.from(classifier.predict(dataset.test.map((example) => example.text), { batchSize: 64 }), (prediction) => classOf.get(prediction.label)!)
      const actual = Int32Array.from(dataset.test, (example) => classOf.get(example.label)!)
      const scores = accuracyAndMacroF1(actual, predicted, dataset.labels.length)
      return {
        labels,
        ...scores,
        validationAccuracy: result.best?.metric === 'accuracy' ? result.best.value : null,
        trainSeconds: result.elapsedMs / 1000,
        totalSeconds: (performance.now() - started) / 1000,
        epochsCompleted: result.epochsCompleted,
        bestEpoch: result.best ? result.best.epoch + 1 : null,
      }
    } finally {
      classifier.dispose()
    }
  }

  context.log(`PEFT learner: ${request.method} on ${base.nameOrPath}, ${request.epochs} epochs, learning rate ${settings.learningRate}, at ${resolved.map((entry) => `${entry.budget}${entry.labels === null ? ' (skipped)' : ` = ${entry.labels}`}`).join(', ')} labels`)
  const points: SelectionPeftPoint[] = []
  for (const entry of resolved) {
    if (entry.labels === null) continue
    const labels = entry.labels
    // target and half may land on the same labels: one fine-tune answers both.
    const measured = points.find((point) => point.labels === labels) ?? done.find((point) => point.labels === labels)
    const point = measured ?? { budget: entry.budget, ...(await fineTune(labels, request.labeled.slice(0, labels), `peft-${labels}`)) }
    points.push({ ...point, budget: entry.budget })
    await saved.save(points)
    context.log(`${request.method} on the first ${labels} labels (${entry.budget}): test accuracy ${(point.accuracy * 100).toFixed(2)}%`)
  }

  let fullData = await shared.load()
  if (fullData) {
    context.log(`${request.method} on every pool row (seed ${run.seed}): ${(fullData.accuracy * 100).toFixed(2)}%, trained by run ${fullData.computedByRun}`)
  } else {
    const all = Array.from({ length: dataset.train.length }, (_, row) => row)
    fullData = { budget: 'full', computedByRun: run.id, ...(await fineTune(all.length, all, 'peft-full')) }
    await shared.save(fullData)
    context.log(`${request.method} on every pool row: test accuracy ${(fullData.accuracy * 100).toFixed(2)}%`)
  }
  return {
    method: request.method,
    baseModel: base.nameOrPath,
    epochs: request.epochs,
    learningRate: settings.learningRate,
    peftConfig: settings.peftConfig,
    points,
    fullData,
    skipped: resolved.filter((entry) => entry.labels === null).map((entry) => ({ budget: entry.budget, reason: entry.reason! })),
  }
}

/** The PEFT points a run finished, saved after each: a retried job redoes none of them. */
function peftCheckpoint(store: ArtifactStore, runId: string) {
  const key = `runs/${runId}/checkpoint/selection-peft.json`
  return {
    save: async (points: SelectionPeftPoint[]) => void (await store.put(key, JSON.stringify(points))),
    load: async (): Promise<SelectionPeftPoint[]> => ((await store.exists(key)) ? (JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as SelectionPeftPoint[]) : []),
  }
}

/**
 * The full-data fine-tune of one seed, kept beside the benchmark: every strategy's run of
 * that seed would train the same model on the same rows, so the first one trains it and
 * the others read it. Keyed by method and epochs (a benchmark has one dataset and base model).
 */
export function sharedReference(store: ArtifactStore, benchmarkId: string, method: string, epochs: number, seed: number) {
  const key = `benchmarks/${benchmarkId}/selection/peft-full-${method}-epochs-${epochs}-seed-${seed}.json`
  type Reference = NonNullable<SelectionPeftSummary['fullData']>
  return {
    key,
    save: async (point: Reference) => void (await store.put(key, JSON.stringify(point))),
    load: async (): Promise<Reference | null> => ((await store.exists(key)) ? (JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as Reference) : null),
  }
}
