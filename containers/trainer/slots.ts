/**
 * The `slots` job: slot filling on NLU++ banking, whatever intent dataset the benchmark
 * names (NLU++ is the only dataset with slot annotations). Train on folds 0-13, keep the
 * epoch with the best validation span F1 on fold 14, test on the held-out folds 15-19
 * that the shipped base model never saw (`nluppSlotSplit`). `slots-full` and
 * `slots-lora` fine-tune a token-classification head on the benchmark's base model
 * with the `full` and `lora` arms' fields and defaults; `slots-rules` is the rules +
 * gazetteer baseline. Every run reports span F1 (micro, macro, per slot), latency per
 * query, throughput and memory. The tagger arms also fine-tune, with the same method,
 * settings, folds and epochs, a multi-label intent classifier on NLU++'s intents (a
 * sigmoid per intent, fineTuneMultiLabelClassifier; best epoch and one threshold for
 * every intent by validation micro-F1), scored with micro-F1 on the test folds at that
 * threshold and at 0.5: the study's multi-label intent figure. Single-label intent figures are "not applicable".
 * That classifier is saved like a train run's, under intents/ (MULTI_LABEL_INTENTS_PREFIX), with its labels and threshold,
 * so that serving can reload it (every intent above the threshold per message).
 */
import { getBenchmark, isRunOfMethod, seededShuffle, type RunConfigOf, type RunContext, type RunHandler, type SlotRunSummary } from '@bankbench/core'
import { RuleSlotTagger } from '@bankbench/baselines'
import { nluppSlotSplit, type NluppSlotSplit } from '@bankbench/data'
import { fineTuneMultiLabelClassifier, fineTuneTokenClassifier, initBackend, optimizerOptions, saveTokenClassifier, trainSettings, tuneMultiLabelThreshold } from '@bankbench/engine'
import { evaluateTagger, multiLabelReport, PeakMemoryTracker, type SpanPredictor } from '@bankbench/metrics'
import { benchmarkBaseModel, checkpointFiles, MULTI_LABEL_INTENTS_PREFIX, resolveBaseModel } from '@bankbench/model-store'
import { saveClassifierArtifacts } from './classifier-artifacts'
import { gpuMemoryFigures } from './gpu-memory'
import { progressReporter, trainerCheckpoints } from './training-progress'

/** Intent figures, which a slot tagger does not produce. */
const INTENT_FIGURES = ['accuracy', 'macroF1', 'validationAccuracy']

/** Multi-label intent figures, which only the tagger arms measure. */
const MULTI_LABEL_INTENT_FIGURES = ['intentMicroF1', 'intentMacroF1', 'intentSubsetAccuracy', 'intentValidationMicroF1', 'intentThreshold', 'intentMicroF1AtHalf']

/** The engine method each slot method trains with. */
const ENGINE_METHOD = { 'slots-full': 'full', 'slots-lora': 'lora' } as const

export const runSlots: RunHandler<'slots'> = async (context) => {
  const split = nluppSlotSplit()
  const { config } = context.run
  // The protocol's train subset, when set, draws from NLU++'s training folds as it would from the intent data.
  const train = config.trainSubset ? seededShuffle(split.train, context.run.seed).slice(0, config.trainSubset) : split.train
  if (isRunOfMethod(context, ['slots-rules'])) return runRules(context, split, train)
  if (isRunOfMethod(context, ['slots-full', 'slots-lora'])) return runTagger(context, split, train)
  throw new Error(`the slots job has no method '${config.method}'`)
}

type SlotSplit = NluppSlotSplit
type TrainRows = NluppSlotSplit['train']

async function runRules(context: RunContext<RunConfigOf<'slots-rules'>>, split: SlotSplit, train: TrainRows): Promise<SlotRunSummary> {
  const memory = new PeakMemoryTracker()
  const started = performance.now()
  // Nothing is chosen on validation, so the gazetteer learns from it too.
  const tagger = RuleSlotTagger.fit([...train, ...split.validation], split.slotTypes)
  const trainSeconds = (performance.now() - started) / 1000
  const model = JSON.stringify(tagger.toJSON())
  await context.saveArtifact('slots/rules.json', model)
  const evaluation = await evaluateTagger(tagger, split.test)
  context.log(`rules + gazetteer (${tagger.gazetteerSize} values): test span micro-F1 ${evaluation.report.microF1.toFixed(3)}`)
  return slotSummary(split, evaluation, {
    trainSeconds, trainExamples: train.length + split.validation.length, epochsCompleted: null, bestEpoch: null, validationEntityMicroF1: null,
    trainableParameters: null, totalParameters: null, trainableRatio: null, peakRssBytes: memory.stop(), peakTensorBytes: null, peakGpuMemoryBytes: null,
    adapterBytes: null, modelBytes: Buffer.byteLength(model), backend: null,
    notApplicable: [...INTENT_FIGURES, ...MULTI_LABEL_INTENT_FIGURES, 'trainableParameters', 'totalParameters', 'trainableRatio', 'peakTensorBytes', 'peakGpuMemoryBytes', 'adapterBytes', 'backend'],
  })
}

async function runTagger(context: RunContext<RunConfigOf<'slots-full' | 'slots-lora'>>, split: SlotSplit, train: TrainRows): Promise<SlotRunSummary> {
  const { run, store } = context
  const method = ENGINE_METHOD[run.config.method]
  const settings = trainSettings(method, run.config.hyperparameters)
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const memory = new PeakMemoryTracker()
  const base = await resolveBaseModel(store, await benchmarkBaseModel(context.db, await getBenchmark(context.db, run.benchmarkId)), context.db)
  context.log(`${run.config.method} (${method}) on ${base.nameOrPath}: NLU++ folds ${split.folds.train.join(',')} (${train.length} utterances), ` +
    `${run.config.epochs} epochs, batch ${settings.batchSize}, learning rate ${settings.learningRate}, backend ${backend.name}`)
  const tuned = await fineTuneTokenClassifier({
    base: base.checkpoint,
    slotTypes: split.slotTypes,
    train,
    validation: split.validation,
    method,
    peftConfig: settings.peftConfig,
    maxLength: settings.maxLength,
    epochs: run.config.epochs,
    ...optimizerOptions(settings),
    seed: run.seed,
    signal: context.signal,
    ...progressReporter(context),
    ...trainerCheckpoints(store, run.id),
  })
  const { tagger, result, parameterCounts } = tuned
  try {
    if (result.status === 'cancelled') context.signal.throwIfAborted()
    const saved = saveTokenClassifier(tuned, { baseModelNameOrPath: base.nameOrPath })
    let weightsBytes: number
    if (saved.kind === 'adapter') {
      await context.saveArtifact('slots/adapter/adapter_config.json', `${JSON.stringify(saved.adapter['adapter_config.json'], null, 2)}\n`)
      await context.saveArtifact('slots/adapter/adapter_model.safetensors', saved.adapter['adapter_model.safetensors'])
      weightsBytes = saved.adapter['adapter_model.safetensors'].byteLength
    } else {
      const files = await checkpointFiles(saved.checkpoint)
      for (const [name, body] of files) await context.saveArtifact(`slots/model/${name}`, body)
      weightsBytes = files.get('model.safetensors')!.byteLength
    }
    // What reloading needs besides the weights (loadTokenClassifier): the tags in head order and the truncation.
    await context.saveArtifact('slots/token-classifier.json', JSON.stringify({ baseModel: base.nameOrPath, method: run.config.method, tags: tagger.tags, maxLength: tagger.maxLength }))
    const predictor: SpanPredictor = { predict: (texts) => tagger.predict(texts).map((entry) => entry.entities) }
    const evaluation = await evaluateTagger(predictor, split.test)
    const best = result.best ? result.history[result.best.epoch]?.validation : undefined
    context.log(`test span micro-F1 ${evaluation.report.microF1.toFixed(3)}, macro ${evaluation.report.macroF1.toFixed(3)} after ${result.steps} steps (${(result.elapsedMs / 1000).toFixed(0)} s)`)
    const intents = await multiLabelIntents(context, split, train, { method, settings, base })
    const gpu = gpuMemoryFigures(result.peakMemory, backend)
    const baseBytes = [...base.checkpoint.weights.values()].reduce((sum, tensor) => sum + tensor.bytes.byteLength, 0)
    return slotSummary(split, evaluation, {
      baseModel: base.nameOrPath,
      trainSeconds: result.elapsedMs / 1000,
      trainExamples: train.length,
      epochsCompleted: result.epochsCompleted,
      bestEpoch: result.best ? result.best.epoch + 1 : null,
      validationEntityMicroF1: best?.spanMicroF1 ?? null,
      trainableParameters: parameterCounts.trainable,
      totalParameters: parameterCounts.total,
      trainableRatio: parameterCounts.ratio,
      peakRssBytes: Math.max(result.peakMemory.rssBytes, memory.stop()),
      peakTensorBytes: result.peakMemory.tensorBytes,
      peakGpuMemoryBytes: gpu.peakGpuMemoryBytes,
      ...(gpu.peakGpuMemoryAttribution && { peakGpuMemoryAttribution: gpu.peakGpuMemoryAttribution }),
      adapterBytes: weightsBytes,
      // Serving an adapter needs the base model too.
      modelBytes: saved.kind === 'adapter' ? baseBytes + weightsBytes : weightsBytes,
      backend: backend.name,
      ...intents,
      notApplicable: [...INTENT_FIGURES, ...gpu.notApplicable],
    })
  } finally {
    tagger.dispose()
  }
}

type IntentFigures = Pick<SlotRunSummary, 'intentMicroF1' | 'intentMacroF1' | 'intentSubsetAccuracy' | 'intentValidationMicroF1' | 'intentThreshold' | 'intentMicroF1AtHalf' | 'intentTrainSeconds'>

/** NLU++'s multi-label intents: a classifier fine-tuned like the tagger (same method, settings, folds, epochs), scored on the test folds at the threshold tuned on validation. */
async function multiLabelIntents(context: RunContext<RunConfigOf<'slots-full' | 'slots-lora'>>, split: SlotSplit, train: TrainRows,
  { method, settings, base }: { method: 'full' | 'lora'; settings: ReturnType<typeof trainSettings>; base: Awaited<ReturnType<typeof resolveBaseModel>> }): Promise<IntentFigures> {
  const { run, store } = context
  const toExample = (utterance: TrainRows[number]) => ({ text: utterance.text, labels: utterance.intents })
  const fineTuned = await fineTuneMultiLabelClassifier({
    base: base.checkpoint,
    labels: split.intents,
    train: train.map(toExample),
    validation: split.validation.map(toExample),
    method,
    peftConfig: settings.peftConfig,
    maxLength: settings.maxLength,
    epochs: run.config.epochs,
    ...optimizerOptions(settings),
    seed: run.seed,
    signal: context.signal,
    onEpoch: (record) => context.log(`intents epoch ${record.epoch + 1}: train loss ${record.trainLoss.toFixed(4)}, validation micro-F1 ${((record.validation?.microF1 ?? 0) * 100).toFixed(2)}% at 0.5, ` +
      `${((record.validation?.tunedMicroF1 ?? 0) * 100).toFixed(2)}% at ${record.validation?.threshold ?? '—'}`),
    ...trainerCheckpoints(store, run.id, 'intent-trainer-state'),
  })
  const { classifier, result } = fineTuned
  try {
    if (result.status === 'cancelled') context.signal.throwIfAborted()
    // The kept epoch's weights: one threshold for every intent, tuned on the validation fold as the trainer's evaluation tunes it.
    const indexOf = new Map(split.intents.map((intent, index) => [intent, index]))
    const tuned = tuneMultiLabelThreshold(split.validation.map((utterance) => utterance.intents.map((intent) => indexOf.get(intent) ?? -1)),
      classifier.labelProbabilities(split.validation.map((utterance) => utterance.text)))
    const gold = split.test.map((utterance) => utterance.intents)
    const testTexts = split.test.map((utterance) => utterance.text)
    const report = multiLabelReport(gold, classifier.predictLabelSets(testTexts, { threshold: tuned.threshold }), split.intents)
    const atHalf = multiLabelReport(gold, classifier.predictLabelSets(testTexts), split.intents)
    // Saved with the threshold its test figure was measured at; the engine method names how serving loads it (LoRA merged).
    await saveClassifierArtifacts(context, fineTuned, base, {
      prefix: MULTI_LABEL_INTENTS_PREFIX, method, labels: split.intents, multiLabel: { threshold: tuned.threshold },
    })
    context.log(`multi-label intents (${split.intents.length}): test micro-F1 ${report.microF1.toFixed(3)} at threshold ${tuned.threshold} (validation ${tuned.microF1.toFixed(3)}), ` +
      `macro ${report.macroF1.toFixed(3)}, exact set ${report.subsetAccuracy.toFixed(3)}; micro-F1 ${atHalf.microF1.toFixed(3)} at 0.5`)
    return {
      intentMicroF1: report.microF1,
      intentMacroF1: report.macroF1,
      intentSubsetAccuracy: report.subsetAccuracy,
      intentValidationMicroF1: tuned.microF1,
      intentThreshold: tuned.threshold,
      intentMicroF1AtHalf: atHalf.microF1,
      intentTrainSeconds: result.elapsedMs / 1000,
    }
  } finally {
    classifier.dispose()
  }
}

type TaggerEvaluation = Awaited<ReturnType<typeof evaluateTagger>>
type RunSpecific = Omit<SlotRunSummary, 'task' | 'dataset' | 'folds' | 'entityMicroF1' | 'entityMacroF1' | 'entityMicroPrecision' | 'entityMicroRecall' | 'perSlot'
  | 'testUtterances' | 'goldEntities' | 'latencyP50Ms' | 'latencyP95Ms' | 'latency' | 'throughputPerSecond'>

function slotSummary(split: SlotSplit, evaluation: TaggerEvaluation, specific: RunSpecific): SlotRunSummary {
  const { report } = evaluation
  return {
    task: 'slot-filling',
    dataset: 'nlupp-banking',
    folds: split.folds,
    entityMicroF1: report.microF1,
    entityMacroF1: report.macroF1,
    entityMicroPrecision: report.microPrecision,
    entityMicroRecall: report.microRecall,
    perSlot: report.perType,
    testUtterances: split.test.length,
    goldEntities: report.goldEntities,
    latencyP50Ms: evaluation.latency.p50Ms,
    latencyP95Ms: evaluation.latency.p95Ms,
    latency: evaluation.latency,
    throughputPerSecond: evaluation.throughputPerSecond,
    ...specific,
  }
}
