/**
 * A generate run deployed and served through the HTTP API: a tiny Llama decoder is trained
 * with LoRA (beam search, two beams) on the tiny intent dataset by the real local job runner,
 * deployed by run id, and POST /v1/classify answers with the intent whose name the decoder
 * writes, or out_of_scope (flagged out of scope) when it writes no label's name. The
 * reference is the run's saved generator loaded back by model-store (adapter not merged).
 */
import { openTestApi, type TestApi } from '@bankbench/api/testing'
import { listRunArtifacts, type LocalJobRunner } from '@bankbench/core'
import { normalizeGenerated } from '@bankbench/engine'
import { GENERATOR_FILES, loadRunGenerator } from '@bankbench/model-store'
import { OUT_OF_SCOPE_INTENT } from '@bankbench/serving'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TINY_INTENTS } from './fixtures/tiny-intents'

/** A decoder that learns the 16 training messages' intent names in seconds. */
const TINY_DECODER = {
  vocab_size: 120, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 64,
  max_new_tokens: 4, pretrain_epochs: 30, pretrain_learning_rate: 1e-2, max_length: 24, batch_size: 4, num_beams: 2,
}

const SPLITS = ['train', 'train', 'train', 'train', 'test', 'test'] as const
const rows = Object.entries(TINY_INTENTS).flatMap(([label, texts]) => texts.map((text, i) => ({ text, label, split: SPLITS[i]! })))
// Validation repeats the training messages: on 16 messages the decoder memorises, and the epoch the job keeps (best
// validation exact match) is then a trained one, not the first, which writes nothing yet.
const validation = rows.filter((row) => row.split === 'train').map((row) => ({ ...row, split: 'validation' as const }))
const csvRows = [...rows, ...validation]
const csv = `${['text,label,split', ...csvRows.map((row) => `"${row.text}",${row.label},${row.split}`)].join('\n')}\n`

interface Classification { intent: string; confidence: number; topIntents: { intent: string; score: number }[]; outOfScope: boolean }

describe('a generate run deployed: classify writes the intent name', () => {
  let api: TestApi
  let run: { id: string; method: string; status: string; error: string | null; summary: Record<string, unknown> | null }

  beforeAll(async () => {
    api = await openTestApi()
    const upload = await api.app.request('/v1/datasets?name=tiny-intents', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv })
    expect(upload.status).toBe(201)
    const dataset = await upload.json() as { id: string }
    const submitted = await api.postJson('/v1/benchmarks', {
      name: 'generator', dataset: dataset.id, arms: [{ method: 'generate-lora', config: { epochs: 40, r: 16, learning_rate: 1e-2, ...TINY_DECODER } }], protocol: { seeds: [1], timeoutSeconds: 300 },
    })
    expect(submitted.status).toBe(202)
    const { id } = await submitted.json() as { id: string }
    await (api.platform.queue as LocalJobRunner).idle()
    run = (await (await api.app.request(`/v1/benchmarks/${id}/runs`)).json() as { items: (typeof run)[] }).items[0]!
  }, 400_000)
  afterAll(async () => api?.close())

  it('saves the decoder, its tokenizer and the LoRA adapter, and records the beams', async () => {
    expect([run.method, run.status, run.error]).toEqual(['generate-lora', 'succeeded', null])
    expect(run.summary).toMatchObject({ numBeams: 2, adapterMerged: true })
    const names = (await listRunArtifacts(api.platform.db, run.id)).map((artifact) => artifact.name)
    expect(names).toEqual(expect.arrayContaining([
      GENERATOR_FILES.manifest, `${GENERATOR_FILES.model}config.json`, `${GENERATOR_FILES.model}model.safetensors`, `${GENERATOR_FILES.model}tokenizer.json`,
      GENERATOR_FILES.adapterConfig, GENERATOR_FILES.adapterWeights,
    ]))
  })

  it('deploys by run id and classifies by the intent name the decoder writes, out_of_scope for any other text', async () => {
    const response = await api.postJson('/v1/deployments', { stage: 'gen', runId: run.id })
    const deployment = await response.json() as { detail?: string; settings: { outOfScopeThreshold: number; topK: number }; smokeCheck: { passed: boolean; mergedLora: boolean } }
    expect(deployment.detail).toBeUndefined()
    expect(response.status).toBe(201)
    expect(deployment.smokeCheck).toMatchObject({ passed: true, mergedLora: true })
    const { key } = await (await api.postJson('/v1/api-keys', { stage: 'gen' })).json() as { key: string }
    const texts = rows.map((row) => row.text)
    const classified = await api.postJson('/v1/classify/batch', { stage: 'gen', texts }, { authorization: `Bearer ${key}` })
    expect(classified.status).toBe(200)
    const { results } = await classified.json() as { results: Classification[] }

    // The reference: the saved generator loaded back, LoRA not merged, and what it writes.
    const reference = await loadRunGenerator(api.platform.db, api.platform.store, run.id, { merge: false })
    try {
      const written = reference.generator.generate(texts).texts.map(normalizeGenerated)
      const labelOf = (text: string) => reference.manifest.labels[reference.manifest.labelTexts.map(normalizeGenerated).indexOf(text)] ?? OUT_OF_SCOPE_INTENT
      expect(results.map((result) => result.intent)).toEqual(written.map(labelOf))
      const matched = results.filter((result) => result.intent !== OUT_OF_SCOPE_INTENT)
      // The decoder learnt the training messages' names: most of them come back as their label.
      const trainRows = rows.flatMap((row, index) => (row.split === 'train' ? [index] : []))
      expect(trainRows.filter((index) => results[index]!.intent === rows[index]!.label).length).toBeGreaterThan(trainRows.length / 2)
      const confidences = reference.generator.targetLogLikelihoods(rows.flatMap((row, index) => (results[index]!.intent === OUT_OF_SCOPE_INTENT ? [] : [{ prompt: row.text, target: reference.manifest.labelTexts[reference.manifest.labels.indexOf(results[index]!.intent)]! }])))
      matched.forEach((result, i) => {
        expect(Math.abs(result.confidence - Math.exp(confidences[i]!.reduce((sum, value) => sum + value, 0)))).toBeLessThan(1e-4)
        expect(result.topIntents[0]).toEqual({ intent: result.intent, score: result.confidence })
        expect(result.outOfScope).toBe(result.confidence < deployment.settings.outOfScopeThreshold)
      })
      for (const result of results.filter((item) => item.intent === OUT_OF_SCOPE_INTENT)) expect(result).toMatchObject({ confidence: 0, outOfScope: true })
    } finally {
      reference.generator.dispose()
    }
  })
})
