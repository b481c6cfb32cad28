/**
 * The `pretrain` job (method `mlm-pretrain`): domain adaptation of the base model.
 * Continues the masked-language-model pretraining of the benchmark's base model (the
 * shipped bankbench-mini unless `baseModel` names another BERT) on the run's training
 * text, and publishes the checkpoint (HF layout) at `models/local-backbone/` in the
 * artifact store, where the benchmark's train jobs find it. Test text is never seen.
 */
import { PeakMemoryTracker } from '@bankbench/metrics'
import { getBenchmark, type PretrainRunSummary, type RunHandler } from '@bankbench/core'
import { initBackend, pretrainBackbone, shapesNewBackbone } from '@bankbench/engine'
import { checkpointFiles, LOCAL_BACKBONE_PREFIX, LOCAL_BACKBONE_PROVENANCE, resolveBaseModel, SHIPPED_BASE_MODEL } from '@bankbench/model-store'
import { gpuMemoryFigures } from './gpu-memory'
import { progressReporter, trainerCheckpoints } from './training-progress'

export const runPretrain: RunHandler<'pretrain'> = async (context) => {
  const { run, dataset, store } = context
  const { config } = run
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const memory = new PeakMemoryTracker()

  // The backbone is a pure function of its recipe: when the published one was made
  // from the same recipe, this run reuses it instead of spending minutes to remake it.
  // Domain adaptation continues the benchmark's base model; a shape in the settings asks for a new backbone instead.
  const benchmark = await getBenchmark(context.db, run.benchmarkId)
  const base = shapesNewBackbone(config.hyperparameters) ? null : await resolveBaseModel(store, benchmark.spec.baseModel ?? SHIPPED_BASE_MODEL, context.db)
  if (base) context.log(`continuing the pretraining of ${base.nameOrPath} on the dataset's training text`)
  const recipe = JSON.stringify({ base: base?.nameOrPath ?? null, hyperparameters: config.hyperparameters, epochs: config.epochs, seed: run.seed, datasetHash: context.datasetHash })
  if (await store.exists(`${LOCAL_BACKBONE_PREFIX}recipe.json`)) {
    const published = new TextDecoder().decode(await store.get(`${LOCAL_BACKBONE_PREFIX}recipe.json`))
    // A backbone published before provenance.json existed cannot be checked by the train jobs: it is made again.
    if (published === recipe && await store.exists(`${LOCAL_BACKBONE_PREFIX}summary.json`) && await store.exists(`${LOCAL_BACKBONE_PREFIX}${LOCAL_BACKBONE_PROVENANCE}`)) {
      context.log(`the local backbone at ${LOCAL_BACKBONE_PREFIX} was made from this recipe; reusing it`)
      // The summary this handler published with the backbone (below).
      const summary = JSON.parse(new TextDecoder().decode(await store.get(`${LOCAL_BACKBONE_PREFIX}summary.json`))) as PretrainRunSummary
      return { ...summary, reused: true }
    }
  }
  // Unpublish first, so no train job picks up a backbone whose files are half replaced.
  if (await store.exists(`${LOCAL_BACKBONE_PREFIX}config.json`)) await store.delete(`${LOCAL_BACKBONE_PREFIX}config.json`)

  const trainTexts = dataset.train.map((example) => example.text)
  const { checkpoint, training, vocabSize } = await pretrainBackbone(trainTexts, dataset.validation.map((example) => example.text), config.hyperparameters, {
    epochs: config.epochs,
    seed: run.seed,
    signal: context.signal,
    log: context.log,
    ...(base && { from: base.checkpoint }),
    ...progressReporter(context),
    ...trainerCheckpoints(store, run.id),
  })
  if (training.status === 'cancelled') context.signal.throwIfAborted()

  const files = await checkpointFiles(checkpoint)
  // Who publishes it, first: a train job checks each file against the sha256 this run records for `model/<name>`.
  await store.put(`${LOCAL_BACKBONE_PREFIX}${LOCAL_BACKBONE_PROVENANCE}`, JSON.stringify({ runId: run.id }))
  // config.json last: train jobs take its presence to mean the backbone is complete.
  const publishOrder = [...files.keys()].sort((a, b) => Number(a === 'config.json') - Number(b === 'config.json'))
  for (const name of publishOrder) {
    // Recorded before it is published: a train job never finds a file whose hash is not recorded yet.
    await context.saveArtifact(`model/${name}`, files.get(name)!)
    await store.put(`${LOCAL_BACKBONE_PREFIX}${name}`, files.get(name)!)
  }
  const last = training.history.at(-1)
  context.log(`published the local backbone at ${LOCAL_BACKBONE_PREFIX} (validation MLM loss ${last?.validation?.loss.toFixed(4) ?? 'n/a'})`)
  const parameters = [...checkpoint.weights.values()].reduce((sum, tensor) => sum + tensor.shape.reduce((size, dimension) => size * dimension, 1), 0)
  const summary: PretrainRunSummary = {
    validationMlmLoss: last?.validation?.loss ?? null,
    validationMlmAccuracy: last?.validation?.accuracy ?? null,
    trainSeconds: training.elapsedMs / 1000,
    stepMs: training.steps > 0 ? training.elapsedMs / training.steps : null,
    epochsCompleted: training.epochsCompleted,
    stepsCompleted: training.steps,
    trainExamples: trainTexts.length,
    vocabSize,
    totalParameters: parameters,
    modelBytes: files.get('model.safetensors')?.byteLength ?? null,
    peakTensorBytes: training.peakMemory.tensorBytes,
    peakRssBytes: Math.max(training.peakMemory.rssBytes, memory.stop()),
    ...gpuMemoryFigures(training.peakMemory, backend),
    backend: backend.name,
    backbone: LOCAL_BACKBONE_PREFIX,
    ...(base && { baseModel: base.nameOrPath }),
  }
  await store.put(`${LOCAL_BACKBONE_PREFIX}summary.json`, JSON.stringify(summary))
  await store.put(`${LOCAL_BACKBONE_PREFIX}recipe.json`, recipe)
  return summary
}
