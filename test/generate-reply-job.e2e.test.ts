/**
 * The generate job with `target: 'reply'` end to end: a bank's CSV with a reply column (a
 * fixed reply per intent) uploaded as the API does (parseUploadedDataset, registerDataset),
 * a tiny Llama fine-tuned in full to write the reply for each message, through the real
 * planner, local job runner and trainer entrypoint; the metrics are against the replies, the
 * rubric does not apply and serving refuses to deploy it. A dataset without replies is refused
 * at submission.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, getDataset, listRunsOfBenchmark, LocalJobRunner, openDatabase, parseUploadedDataset, ProblemError, registerDataset, submitBenchmark,
  type DatabaseHandle, type GenerativeRunSummary,
} from '@bankbench/core'
import { initBackend, parseEncoderConfig, pretrain, saveCheckpoint, Tokenizer, trainWordPiece } from '@bankbench/engine'
import { loadServedModel } from '@bankbench/serving'
import { TINY_INTENTS, tinyIntentExamples, tinyIntentSplits } from './fixtures/tiny-intents'

/** The bank's reply to each intent. */
const REPLIES: Record<string, string> = {
  lost_card: 'we have blocked your card and will send a new one',
  balance: 'your balance is shown on the home screen of the app',
  transfer: 'open payments in the app to send money',
  exchange_rate: 'our rates are listed under exchange in the app',
}

/** The tiny intents as a bank's CSV: six messages per intent (0-3 train, 4 validation, 5 test), each with its intent's reply. */
const CSV = ['text,label,split,reply', ...Object.entries(TINY_INTENTS).flatMap(([label, texts]) =>
  texts.map((text, i) => `${text},${label},${i < 4 ? 'train' : i === 4 ? 'validation' : 'test'},"${REPLIES[label]}"`))].join('\n')

/** A decoder that learns four fixed replies in a few seconds. */
const TINY_DECODER = {
  vocab_size: 160, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 64,
  max_new_tokens: 14, pretrain_epochs: 2, max_length: 32, batch_size: 8,
}

describe('generate jobs with target reply', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-generate-reply-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await registerDataset(database.db, store, { id: 'replies', name: 'replies', source: 'upload', splits: parseUploadedDataset(new TextEncoder().encode(CSV)) })
    await registerDataset(database.db, store, { id: 'intents', name: 'intents', source: 'upload', splits: tinyIntentSplits() })
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

  it('records that the upload has replies', async () => {
    expect((await getDataset(database.db, 'replies')).splits).toMatchObject({ train: 16, validation: 4, test: 4, replies: true })
    expect((await getDataset(database.db, 'intents')).splits.replies).toBeUndefined()
  })

  it('refuses target reply on a dataset without replies, with the arm named', async () => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs-refused'), concurrency: 1 })
    try {
      const spec = { dataset: 'intents', arms: [{ method: 'generate-lora', config: {} }, { method: 'generate-full', config: { target: 'reply' } }] }
      const refusal = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, spec).then(() => null, (error: unknown) => error)
      expect(refusal).toBeInstanceOf(ProblemError)
      expect(refusal).toMatchObject({ code: 'validation-failed', errors: [{ path: 'arms.1.config.target' }] })
      expect((refusal as ProblemError).message).toMatch(/dataset 'intents' has none; upload a CSV with a reply column/)
    } finally {
      await queue.close()
    }
  })

  it('fine-tunes a tiny decoder to write the bank\'s replies and scores it against them', async () => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'replies',
        baseModel: join(directory, 'base'),
        arms: [{ method: 'generate-full', config: { epochs: 20, learning_rate: 1e-2, ...TINY_DECODER, target: 'reply' } }],
        protocol: { seeds: [1], timeoutSeconds: 540 },
      }))
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect([run!.status, run!.error]).toEqual(['succeeded', null])
      const summary = run!.summary as GenerativeRunSummary
      expect(summary).toMatchObject({ task: 'generation', target: 'message → reply', testExamples: 4, trainExamples: 16 })
      // Scored against the replies: the references are the bank's replies, and a decoder that learned them writes their words.
      for (const sample of summary.samples) expect(Object.values(REPLIES)).toContain(sample.reference)
      expect(summary.samples.map((sample) => sample.prompt)).toEqual(tinyIntentExamples(5, 6).map((example) => example.text))
      expect(summary.samples.some((sample) => Object.values(REPLIES).includes(sample.generated))).toBe(true)
      expect(summary.bleu).toBeGreaterThan(0)
      expect(summary.rougeL).toBeGreaterThan(0)
      expect(summary.perplexity).toBeGreaterThan(1)
      expect(summary.semanticSimilarity).not.toBeNull()
      expect(summary.tokensPerSecond).toBeGreaterThan(0)
      // A reply generator is no intent classifier: no rubric (with the reason), no deployment.
      expect(summary.rubric).toEqual({ notApplicable: expect.stringContaining('no intent classifier') })
      expect(summary.notApplicable).toEqual(expect.arrayContaining(['accuracy', 'relevanceScore', 'securityScore']))
      expect(summary.relevanceScore).toBeUndefined()
      await expect(loadServedModel(database.db, store, run!.id)).rejects.toMatchObject({ code: 'invalid-state', message: expect.stringContaining('cannot be deployed') })
    } finally {
      await queue.close()
    }
  }, 600_000)
})
