/**
 * Issue 18's "done when" for deployment: a benchmark where TF-IDF + logistic regression wins
 * is deployed with `recommended: true` (and by run id) and classifies through POST
 * /v1/classify like an engine deployment; and a dataset with rows labelled `out_of_scope`
 * yields a deployment calibrated on them, whose measured test false-reject rate is within
 * 1.5x of its target, with its out-of-scope recall reported. Everything goes through the
 * HTTP API over the embedded platform and the real local job runner (the real trainer
 * entrypoint).
 *
 * The CSV (split column): 12 Banking77 intents in scope, 40 training and 40 validation
 * messages each from the official train split and their 40 official test messages; 8 other
 * intents' messages labelled out_of_scope, 15 each for validation and for test (and 2 for
 * train, which calibrate with the validation ones: out_of_scope is never trained on).
 */
import { MAX_BATCH_TEXTS } from '@bankbench/api'
import { openTestApi, type TestApi } from '@bankbench/api/testing'
import { loadBaseline } from '@bankbench/baselines'
import { listRunArtifacts, loadBanking77, type LocalJobRunner } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const IN_SCOPE_INTENTS = 12
const OUT_OF_SCOPE_INTENTS = 8
const PER_INTENT = { train: 40, validation: 40 }
const OUT_OF_SCOPE_PER_INTENT = { train: 2, validation: 15, test: 15 }
const TARGET = 0.05

interface Row { text: string; label: string; split: 'train' | 'validation' | 'test' }

function datasetRows(): Row[] {
  const banking77 = loadBanking77()
  const byLabel = (examples: { text: string; label: string }[]) => {
    const groups = new Map<string, { text: string; label: string }[]>()
    for (const example of examples) groups.set(example.label, [...(groups.get(example.label) ?? []), example])
    return groups
  }
  const train = byLabel(banking77.train)
  const test = byLabel(banking77.test)
  // Intents with enough training messages for train and validation, in the catalogue's order.
  const intents = banking77.labels.filter((label) => (train.get(label)?.length ?? 0) >= PER_INTENT.train + PER_INTENT.validation + OUT_OF_SCOPE_PER_INTENT.train)
  const rows: Row[] = []
  for (const label of intents.slice(0, IN_SCOPE_INTENTS)) {
    const texts = train.get(label)!.map((example) => example.text)
    rows.push(...texts.slice(0, PER_INTENT.train).map((text) => ({ text, label, split: 'train' as const })))
    rows.push(...texts.slice(PER_INTENT.train, PER_INTENT.train + PER_INTENT.validation).map((text) => ({ text, label, split: 'validation' as const })))
    rows.push(...test.get(label)!.map((example) => ({ text: example.text, label, split: 'test' as const })))
  }
  for (const label of intents.slice(IN_SCOPE_INTENTS, IN_SCOPE_INTENTS + OUT_OF_SCOPE_INTENTS)) {
    const texts = train.get(label)!.map((example) => example.text)
    let next = 0
    for (const [split, count] of Object.entries(OUT_OF_SCOPE_PER_INTENT) as [Row['split'], number][]) {
      rows.push(...texts.slice(next, next + count).map((text) => ({ text, label: 'out_of_scope', split })))
      next += count
    }
  }
  return rows
}

const quote = (field: string) => `"${field.replaceAll('"', '""')}"`
const csvOf = (rows: Row[]) => `${['text,label,split', ...rows.map((row) => [quote(row.text), row.label, row.split].join(','))].join('\n')}\n`

interface Classification { intent: string; confidence: number; topIntents: { intent: string; score: number }[]; outOfScope: boolean }
interface OutOfScopeEvaluation { basis: string; threshold: number; targetFalseRejectRate: number; falseRejectRate: number; inScopeExamples: number; outOfScopeRecall: number | null; outOfScopeExamples: number }
interface Deployment {
  id: string; runId: string; modelVersion: string; settings: { outOfScopeThreshold: number; topK: number }
  calibration: { basis: string; falseRejectRate: number; outOfScopeExamples: number; outOfScopeRecall: number | null }
  outOfScopeEvaluation: OutOfScopeEvaluation
  smokeCheck: { passed: boolean; backend: string; mergedLora: boolean }
  recommendation?: { method: string; isBest: boolean; meetsAll: boolean }
}

describe('a TF-IDF winner deployed by recommendation, calibrated on out_of_scope rows', () => {
  let api: TestApi
  const rows = datasetRows()
  const inScopeTest = rows.filter((row) => row.split === 'test' && row.label !== 'out_of_scope')
  const outOfScopeTest = rows.filter((row) => row.split === 'test' && row.label === 'out_of_scope')
  let runs: { id: string; method: string; status: string; error: string | null; summary: Record<string, unknown> | null }[]
  let benchmarkId: string

  beforeAll(async () => {
    api = await openTestApi()
    const upload = await api.app.request('/v1/datasets?name=bank-with-oos', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csvOf(rows) })
    const dataset = await upload.json() as { id: string; labels: string[]; splits: Record<string, unknown> }
    expect(upload.status).toBe(201)
    expect(dataset.labels).toHaveLength(IN_SCOPE_INTENTS)
    expect(dataset.labels).not.toContain('out_of_scope')
    // The 16 out_of_scope rows marked train calibrate with the 120 marked validation (never trained on, never dropped).
    expect(dataset.splits).toEqual({ train: 480, validation: 480, test: 480, outOfScope: { validation: 136, test: 120 } })

    const submitted = await api.postJson('/v1/benchmarks', { name: 'tfidf wins', dataset: dataset.id, arms: [{ method: 'majority' }, { method: 'tfidf-logreg' }], protocol: { timeoutSeconds: 120 } })
    expect(submitted.status).toBe(202)
    benchmarkId = (await submitted.json() as { id: string }).id
    await (api.platform.queue as LocalJobRunner).idle()
    runs = (await (await api.app.request(`/v1/benchmarks/${benchmarkId}/runs`)).json() as { items: typeof runs }).items
  }, 240_000)
  afterAll(async () => api?.close())

  const deploy = async (body: object) => {
    const response = await api.postJson('/v1/deployments', body)
    const deployed = await response.json() as Deployment & { detail?: string }
    expect(deployed.detail).toBeUndefined()
    expect(response.status).toBe(201)
    return deployed
  }
  const classifyAll = async (stage: string, key: string, texts: string[]) => {
    const results: Classification[] = []
    for (let start = 0; start < texts.length; start += MAX_BATCH_TEXTS) {
      const response = await api.postJson('/v1/classify/batch', { stage, texts: texts.slice(start, start + MAX_BATCH_TEXTS) }, { authorization: `Bearer ${key}` })
      expect(response.status).toBe(200)
      results.push(...(await response.json() as { results: Classification[] }).results)
    }
    return results
  }

  let deployment: Deployment
  it('trains both baselines on the in-scope rows only; TF-IDF wins', () => {
    expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([['majority', 'succeeded', null], ['tfidf-logreg', 'succeeded', null]])
    const [majority, tfidf] = runs
    expect(tfidf!.summary).toMatchObject({ trainExamples: 480 })
    expect(tfidf!.summary!.accuracy as number).toBeGreaterThan(2 * (majority!.summary!.accuracy as number))
  })

  it('deploys the TF-IDF run with recommended: true, calibrated on the out_of_scope rows and measured on test', async () => {
    const tfidf = runs.find((run) => run.method === 'tfidf-logreg')!
    deployment = await deploy({ stage: 'prod', benchmarkId, recommended: true })
    expect(deployment).toMatchObject({
      runId: tfidf.id,
      recommendation: { method: 'tfidf-logreg', isBest: true },
      smokeCheck: { passed: true, backend: 'in-process', mergedLora: false },
      calibration: { basis: 'out-of-scope-examples', outOfScopeExamples: 136 },
      outOfScopeEvaluation: { basis: 'out-of-scope-examples', targetFalseRejectRate: TARGET, inScopeExamples: 480, outOfScopeExamples: 120 },
    })
    const measured = deployment.outOfScopeEvaluation
    expect(measured.threshold).toBe(deployment.settings.outOfScopeThreshold)
    expect(deployment.calibration.falseRejectRate).toBeLessThanOrEqual(TARGET)
    expect(measured.falseRejectRate).toBeLessThanOrEqual(1.5 * TARGET)
    expect(measured.outOfScopeRecall).toEqual(expect.any(Number))
    expect(measured.outOfScopeRecall!).toBeGreaterThan(measured.falseRejectRate)
    console.info(`TF-IDF on 12 intents: threshold ${measured.threshold.toFixed(3)}, test false-reject ${(measured.falseRejectRate * 100).toFixed(1)}% `
      + `(target ${TARGET * 100}%), out-of-scope recall ${(measured.outOfScopeRecall! * 100).toFixed(1)}% (validation ${(deployment.calibration.outOfScopeRecall! * 100).toFixed(1)}%)`)
  })

  it('classifies through the deployment as the saved classifier does, flagging what the evaluation counted', async () => {
    const tfidf = runs.find((run) => run.method === 'tfidf-logreg')!
    const { key } = await (await api.postJson('/v1/api-keys', { stage: 'prod' })).json() as { key: string }
    const results = await classifyAll('prod', key, inScopeTest.map((row) => row.text))

    // The reference: the run's model.json restored by the baselines package itself.
    const artifact = (await listRunArtifacts(api.platform.db, tfidf.id)).find((item) => item.name === 'model.json')!
    const reference = loadBaseline(JSON.parse(new TextDecoder().decode(await api.platform.store.get(artifact.key))))
    const expected = reference.predict(inScopeTest.map((row) => row.text), { scores: true })
    expect(results.map((result) => [result.intent, result.confidence])).toEqual(expected.map((prediction) => [prediction.label, prediction.confidence]))
    const accuracy = results.filter((result, index) => result.intent === inScopeTest[index]!.label).length / inScopeTest.length
    expect(accuracy).toBeCloseTo(tfidf.summary!.accuracy as number, 10)
    for (const result of results) {
      expect(result.topIntents).toHaveLength(deployment.settings.topK)
      expect(result.topIntents[0]).toEqual({ intent: result.intent, score: result.confidence })
      expect(result.outOfScope).toBe(result.confidence < deployment.settings.outOfScopeThreshold)
    }
    const rejected = (list: Classification[]) => list.filter((result) => result.outOfScope).length / list.length
    expect(rejected(results)).toBeCloseTo(deployment.outOfScopeEvaluation.falseRejectRate, 10)
    expect(rejected(await classifyAll('prod', key, outOfScopeTest.map((row) => row.text)))).toBeCloseTo(deployment.outOfScopeEvaluation.outOfScopeRecall!, 10)

    // One message: the engine deployment's response shape, with the latency measured.
    const single = await api.postJson('/v1/classify', { stage: 'prod', text: inScopeTest[0]!.text }, { authorization: `Bearer ${key}` })
    const one = await single.json() as Classification & { deploymentId: string; modelVersion: string; latencyMs: number }
    expect(Object.keys(one).sort()).toEqual(['confidence', 'deploymentId', 'intent', 'latencyMs', 'modelVersion', 'outOfScope', 'topIntents'])
    expect(one).toMatchObject({ intent: expected[0]!.label, deploymentId: deployment.id, modelVersion: deployment.modelVersion })
    expect(one.latencyMs).toBeGreaterThan(0)
    expect(single.headers.get('x-model-load-ms')).toMatch(/^\d+\.\d$/)
  })

  it('deploys a baseline run by its id too, with the same measurement', async () => {
    const tfidf = runs.find((run) => run.method === 'tfidf-logreg')!
    const byId = await deploy({ stage: 'by-id', runId: tfidf.id })
    expect(byId).not.toHaveProperty('recommendation')
    expect(byId.outOfScopeEvaluation).toEqual(deployment.outOfScopeEvaluation)
    const active = await (await api.app.request('/v1/deployments/by-id')).json() as Deployment
    expect(active.outOfScopeEvaluation).toEqual(deployment.outOfScopeEvaluation)
  })
})
