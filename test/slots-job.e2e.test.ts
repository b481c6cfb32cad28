/**
 * The slots job end to end: a benchmark of slot-filling arms (the rules baseline and a
 * LoRA token classifier) through the real planner, the real local job runner and the
 * trainer entrypoint, on NLU++ banking's folds and a tiny BERT saved as an HF folder.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, buildComparison, FsArtifactStore, getBenchmark, listRunArtifacts, listRunsOfBenchmark, LocalJobRunner, openDatabase, registerDataset, submitBenchmark,
  type DatabaseHandle, type SlotRunSummary,
} from '@bankbench/core'
import { nluppSlotSplit } from '@bankbench/data'
import { initBackend, parseEncoderConfig, pretrain, saveCheckpoint, Tokenizer, trainWordPiece } from '@bankbench/engine'
import { multiLabelReport } from '@bankbench/metrics'
import { classifyTexts, deployRun, loadServedModel, ModelCache } from '@bankbench/serving'
import { tinyIntentExamples, tinyIntentSplits } from './fixtures/tiny-intents'

describe('slots jobs through the local runner', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-slots-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    // The benchmark's intent dataset: the slots job does not read it (NLU++ is the slot data).
    await registerDataset(database.db, store, { id: 'intents', name: 'intents', source: 'upload', splits: { ...tinyIntentSplits(), test: tinyIntentExamples(4, 6) } })
    await initBackend()
    // A tiny untrained BERT whose tokenizer knows NLU++'s training text, saved as an HF folder.
    const texts = nluppSlotSplit().train.map((utterance) => utterance.text)
    const tokenizer = Tokenizer.fromJSON(trainWordPiece(texts, { vocabSize: 400, minFrequency: 2 }))
    const modelConfig = parseEncoderConfig({
      model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
      intermediate_size: 32, max_position_embeddings: 64, initializer_range: 0.2,
    })
    const { checkpoint } = await pretrain(texts.slice(0, 8), { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })
    await saveCheckpoint(join(directory, 'base'), checkpoint)
  })
  afterAll(async () => {
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('scores the rules baseline and a LoRA tagger on the held-out folds, saves what reloads them, and marks intent figures not applicable', async () => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        baseModel: join(directory, 'base'),
        arms: [{ method: 'slots-rules' }, { method: 'slots-lora', config: { epochs: 1, batch_size: 32, r: 4 } }],
        protocol: { seeds: [1], timeoutSeconds: 540 },
      }))
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([['slots-rules', 'succeeded', null], ['slots-lora', 'succeeded', null]])
      const [rules, lora] = runs.map((run) => run.summary as SlotRunSummary)
      for (const summary of [rules!, lora!]) {
        expect(summary).toMatchObject({ task: 'slot-filling', dataset: 'nlupp-banking', testUtterances: 520, goldEntities: 226, folds: { test: [15, 16, 17, 18, 19] } })
        expect(summary.entityMicroF1).toBeGreaterThanOrEqual(0)
        expect(summary.entityMicroF1).toBeLessThanOrEqual(1)
        expect(summary.latency.count).toBe(200)
        expect(summary.throughputPerSecond).toBeGreaterThan(0)
        expect(summary.notApplicable).toEqual(expect.arrayContaining(['accuracy', 'macroF1', 'validationAccuracy']))
        expect(summary.trainExamples).toBeGreaterThanOrEqual(1450)
      }
      // The gazetteer learns from NLU++'s training folds: it finds a good share of the held-out slots.
      expect(rules!.entityMicroF1).toBeGreaterThan(0.3)
      expect(rules!).toMatchObject({ trainableParameters: null, backend: null })
      expect(rules!.notApplicable).toContain('trainableParameters')
      expect(lora!).toMatchObject({ epochsCompleted: 1, bestEpoch: 1, trainExamples: 1450, baseModel: join(directory, 'base') })
      expect(lora!.trainableParameters).toBeLessThan(lora!.totalParameters!)
      // The tagger arm also fine-tunes a multi-label intent classifier on NLU++'s intents; the rules baseline has none.
      expect(lora!.intentMicroF1).toBeGreaterThanOrEqual(0)
      expect(lora!.intentMicroF1).toBeLessThanOrEqual(1)
      expect(rules!.notApplicable).toContain('intentMicroF1')
      const [rulesRun, loraRun] = runs
      const artifactNames = async (runId: string) => (await listRunArtifacts(database.db, runId)).map((artifact) => artifact.name)
      expect(await artifactNames(rulesRun!.id)).toEqual(['slots/rules.json'])
      expect(await artifactNames(loraRun!.id)).toEqual(expect.arrayContaining(['slots/adapter/adapter_config.json', 'slots/adapter/adapter_model.safetensors', 'slots/token-classifier.json',
        'intents/adapter/adapter_config.json', 'intents/adapter/adapter_model.safetensors', 'intents/classifier.json']))
      // Its multi-label intent classifier reloads for serving at the threshold it was scored at, and scores the same on the test folds.
      const served = await loadServedModel(database.db, store, loraRun!.id, { merge: false, runtime: 'engine' })
      try {
        expect(served.predictor.multiLabel).toEqual({ threshold: lora!.intentThreshold })
        const { test, intents } = nluppSlotSplit()
        const predictions = await served.predictor.predict(test.map((utterance) => utterance.text))
        const report = multiLabelReport(test.map((utterance) => utterance.intents), predictions.map((prediction) => prediction.labels!), intents)
        expect(report.microF1).toBeCloseTo(lora!.intentMicroF1!, 6)
        const [classified] = await classifyTexts(served.predictor, [test[0]!.text], { topK: 3, outOfScopeThreshold: 0.5 })
        expect(classified!.intents).toEqual(predictions[0]!.labels)
      } finally {
        await served.predictor.dispose()
      }
      // A deployment calibrates and answers one intent per message: it refuses a multi-label classifier, saying so.
      const models = new ModelCache()
      await expect(deployRun({ db: database.db, store, models }, { stage: 'prod', target: { runId: loraRun!.id } }))
        .rejects.toMatchObject({ code: 'invalid-state', message: expect.stringContaining('multi-label intent classifier') })
      // The comparison carries span F1 and the not-applicable figures.
      const comparison = buildComparison(await getBenchmark(database.db, benchmark.id), runs)
      expect(comparison.runs.map((row) => row.entityMicroF1)).toEqual([rules!.entityMicroF1, lora!.entityMicroF1])
      expect(comparison.runs[0]!.notApplicable).toContain('accuracy')
    } finally {
      await queue.close()
    }
  }, 600_000)
})
