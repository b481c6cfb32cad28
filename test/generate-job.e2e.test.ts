/**
 * The generate job end to end: LoRA and full fine-tuning of a tiny Llama causal LM
 * (trained from scratch in the run) on "message → intent name", through the real
 * planner, the real local job runner and the trainer entrypoint, on the tiny intent
 * dataset; a tiny BERT saved as an HF folder is the base encoder that scores semantic
 * similarity.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, buildComparison, FsArtifactStore, getBenchmark, listRunArtifacts, listRunsOfBenchmark, LocalJobRunner, openDatabase, registerDataset, submitBenchmark,
  type DatabaseHandle, type GenerativeRunSummary,
} from '@bankbench/core'
import { initBackend, parseEncoderConfig, pretrain, saveCheckpoint, Tokenizer, trainWordPiece } from '@bankbench/engine'
import { tinyIntentExamples, tinyIntentSplits } from './fixtures/tiny-intents'

/** A decoder that trains in about a second on 16 messages. */
const TINY_DECODER = {
  vocab_size: 120, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 32,
  max_new_tokens: 4, pretrain_epochs: 2, max_length: 24, batch_size: 8,
}

describe('generate jobs through the local runner', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-generate-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    // Two test messages per intent.
    await registerDataset(database.db, store, { id: 'intents', name: 'intents', source: 'upload', splits: { ...tinyIntentSplits(), test: tinyIntentExamples(4, 6) } })
    await initBackend()
    const texts = tinyIntentExamples(0, 6).map((example) => example.text)
    const tokenizer = Tokenizer.fromJSON(trainWordPiece(texts, { vocabSize: 150, minFrequency: 1 }))
    const modelConfig = parseEncoderConfig({
      model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
      intermediate_size: 32, max_position_embeddings: 32, initializer_range: 0.2,
    })
    const { checkpoint } = await pretrain(texts.slice(0, 8), { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })
    await saveCheckpoint(join(directory, 'base'), checkpoint)
  })
  afterAll(async () => {
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('fine-tunes a tiny decoder with LoRA and in full, and scores its generated intent names with every generation metric', async () => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        baseModel: join(directory, 'base'),
        arms: [
          { method: 'generate-lora', config: { epochs: 2, r: 4, learning_rate: 1e-2, ...TINY_DECODER } },
          { method: 'generate-full', config: { epochs: 2, learning_rate: 3e-3, ...TINY_DECODER, num_beams: 2 } },
        ],
        protocol: { seeds: [1], timeoutSeconds: 540 },
      }))
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([['generate-lora', 'succeeded', null], ['generate-full', 'succeeded', null]])
      const [lora, full] = runs.map((run) => run.summary as GenerativeRunSummary)
      for (const summary of [lora!, full!]) {
        expect(summary).toMatchObject({ task: 'generation', target: 'message → intent name', testExamples: 8, trainExamples: 16, epochsCompleted: 2, generationBatchSize: 32 })
        for (const share of [summary.exactMatch, summary.rouge1, summary.rouge2, summary.rougeL]) {
          expect(share).toBeGreaterThanOrEqual(0)
          expect(share).toBeLessThanOrEqual(1)
        }
        expect(summary.bleu).toBeGreaterThanOrEqual(0)
        expect(summary.bleu).toBeLessThanOrEqual(100)
        expect(summary.perplexity).toBeGreaterThan(1)
        expect(summary.semanticSimilarity).not.toBeNull()
        expect(summary.semanticSimilarityEncoder).toBe(`${join(directory, 'base')}, mean pooling`)
        // Per-token latency times the steps after the prompt pass: there are some unless every row stopped at its first token.
        if (summary.generatedTokens > summary.testExamples) expect(summary.latencyPerTokenMs).toBeGreaterThan(0)
        else expect(summary.tokenLatency).toBeNull()
        expect(summary.prefillMsMean).toBeGreaterThan(0)
        expect(summary.tokensPerSecond).toBeGreaterThan(0)
        expect(summary.generatedTokens).toBeGreaterThanOrEqual(8)
        expect(summary.samples).toHaveLength(5)
        expect(summary.decoder).toMatchObject({ hiddenSize: 16, layers: 1, pretrainEpochs: 2 })
        expect(summary.decoder.parameters).toBe(full!.totalParameters)
        expect(summary.notApplicable).toEqual(expect.arrayContaining(['accuracy', 'macroF1', 'validationAccuracy', 'latencyP50Ms']))
        // The banking rubric, through what serving deploys for the run (the label whose name it writes, else out_of_scope).
        expect(summary).toMatchObject({ relevanceScore: expect.any(Number), securityScore: expect.any(Number), rubric: { relevance: { mode: 'rubric' }, security: { mode: 'red-team', cases: 46 } } })
        expect(summary.notApplicable).not.toContain('relevanceScore')
      }
      expect(lora!.trainableParameters).toBeLessThan(lora!.totalParameters)
      expect([lora!.adapterMerged, full!.adapterMerged]).toEqual([true, false])
      expect([lora!.numBeams, full!.numBeams]).toEqual([1, 2])
      expect(full!.trainableParameters).toBe(full!.totalParameters)
      // The decoder with its tokenizer (and LoRA's adapter apart) and what rebuilds the generator: model-store's loadRunGenerator.
      const model = ['generate/model/config.json', 'generate/model/model.safetensors', 'generate/model/tokenizer.json']
      const artifactNames = (run: { id: string }) => listRunArtifacts(database.db, run.id).then((artifacts) => artifacts.map((artifact) => artifact.name).sort())
      expect(await artifactNames(runs[0]!)).toEqual(['generate/adapter/adapter_config.json', 'generate/adapter/adapter_model.safetensors', 'generate/generator.json', ...model])
      expect(await artifactNames(runs[1]!)).toEqual(['generate/generator.json', ...model])
      const comparison = buildComparison(await getBenchmark(database.db, benchmark.id), runs)
      expect(comparison.runs[0]!.notApplicable).toContain('accuracy')
      expect(comparison.runs.map((row) => row.exactMatch)).toEqual([lora!.exactMatch, full!.exactMatch])
      expect(comparison.runs.map((row) => row.bleu)).toEqual([lora!.bleu, full!.bleu])
    } finally {
      await queue.close()
    }
  }, 600_000)
})
