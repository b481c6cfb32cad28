/**
 * The LoRA analysis end to end through the API and the real local job runner: a
 * tiny backbone is pretrained, two LoRA runs adapt different modules, then
 * POST /v1/runs/{id}/analysis starts an `analyze` job in the trainer container and
 * GET returns what it stored as the run's artifact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getRun, listRunsOfBenchmark, registerDataset, type LocalJobRunner } from '@bankbench/core'
import { openTestApi, readProblem, type TestApi } from '@bankbench/api/testing'
import { TINY_BACKBONE, tinyIntentSplits } from './fixtures/tiny-intents'

/** Two layers: the analysis ablates each encoder block. */
const TWO_LAYER_BACKBONE = { ...TINY_BACKBONE, num_hidden_layers: 2 }
const TINY_TRAINING = { batch_size: 4, max_length: 16, learning_rate: 0.01, r: 4, lora_alpha: 8 }

/** The parts of containers/trainer/analyze.ts's result this test reads. */
interface AnalysisResult {
  rankImportance: { layers: { layer: string; blockIndex: number; singularValues: number[]; effectiveRank: number; cumulativeEnergy: number[] }[] }
  moduleSelection: {
    byTargetModules: { name: string; runIds: string[]; validationAccuracy: number | null }[]
    blockAblation: { accuracy: number; blocks: { blockIndex: number; accuracy: number; accuracyDrop: number }[] }
  }
  rankCurve: { points: { r: number; runIds: string[] }[]; bestRank: number | null }
}

describe('LoRA analysis through the API', () => {
  let api: TestApi
  const idle = () => (api.platform.queue as LocalJobRunner).idle()
  const runBenchmark = async (spec: object) => {
    const response = await api.postJson('/v1/benchmarks', { dataset: 'intents', ...spec })
    expect(response.status).toBe(202)
    await idle()
    return listRunsOfBenchmark(api.platform.db, ((await response.json()) as { id: string }).id)
  }

  beforeAll(async () => {
    api = await openTestApi()
    await registerDataset(api.platform.db, api.platform.store, {
      id: 'intents', name: 'intents', source: 'upload',
      splits: tinyIntentSplits(),
    })
  })
  afterAll(async () => api.close())

  it('analyses a finished LoRA run: spectra per layer, module groups, block ablation, rank curve', async () => {
    const [pretrain] = await runBenchmark({ arms: [{ method: 'mlm-pretrain', config: TWO_LAYER_BACKBONE }], protocol: { epochs: 2, timeoutSeconds: 120 } })
    expect(pretrain!.status).toBe('succeeded')
    const runs = await runBenchmark({
      baseModel: 'local-backbone',
      arms: [{ method: 'lora', config: TINY_TRAINING, grid: { target_modules: [['query'], ['query', 'value']] } }],
      protocol: { epochs: 2, timeoutSeconds: 120 },
    })
    expect(runs.map((run) => [run.status, run.error])).toEqual([['succeeded', null], ['succeeded', null]])
    const analysed = runs[1]!

    expect((await readProblem(await api.app.request(`/v1/runs/${analysed.id}/analysis`))).body.status).toBe(404)
    const started = await api.postJson(`/v1/runs/${analysed.id}/analysis`, {})
    expect(started.status).toBe(202)
    expect(started.headers.get('location')).toBe(`/v1/runs/${analysed.id}/analysis`)
    const job = await started.json() as { id: string; kind: string; runIds: string[] }
    expect(job).toMatchObject({ kind: 'analyze', runIds: [analysed.id] })
    await idle()

    const response = await api.app.request(`/v1/runs/${analysed.id}/analysis`)
    expect(response.status).toBe(200)
    const analysis = await response.json() as { status: string; job: { id: string; status: string; statusReason: string | null }; artifactKey: string; result: AnalysisResult }
    expect(analysis.job.statusReason).toBeNull()
    expect(analysis).toMatchObject({ status: 'succeeded', job: { status: 'succeeded' }, artifactKey: `runs/${analysed.id}/${analysis.job.id}/analysis/lora-analysis.json` })
    const { rankImportance, moduleSelection, rankCurve } = analysis.result
    expect(rankImportance.layers.map((layer) => [layer.blockIndex, layer.layer.split('.').at(-1)])).toEqual([
      [0, 'query'], [0, 'value'], [1, 'query'], [1, 'value'],
    ])
    for (const layer of rankImportance.layers) {
      expect(layer.singularValues).toHaveLength(4)
      expect(layer.effectiveRank).toBeGreaterThan(0)
      expect(layer.cumulativeEnergy.at(-1)).toBeCloseTo(1, 6)
    }
    expect(moduleSelection.byTargetModules.map((group) => [group.name, group.runIds])).toEqual([
      ['q', [runs[0]!.id]], ['q+v', [analysed.id]],
    ])
    expect(moduleSelection.byTargetModules[1]!.validationAccuracy).toBe(analysed.summary!.validationAccuracy)
    expect(moduleSelection.blockAblation.blocks.map((block) => block.blockIndex)).toEqual([0, 1])
    for (const block of moduleSelection.blockAblation.blocks) expect(block.accuracyDrop).toBeCloseTo(moduleSelection.blockAblation.accuracy - block.accuracy, 12)
    expect(rankCurve).toMatchObject({ points: [{ r: 4, runIds: runs.map((run) => run.id) }], bestRank: 4 })

    // The analysed run is read, never re-run: its status and summary are as the train job left them.
    expect(await getRun(api.platform.db, analysed.id)).toMatchObject({ status: 'succeeded', summary: analysed.summary, jobId: analysed.jobId })
    const jobResponse = await api.app.request(`/v1/jobs/${job.id}`)
    expect(await jobResponse.json()).toMatchObject({ kind: 'analyze', status: 'succeeded' })
  })

  it('refuses to analyse a run that has no LoRA adapter', async () => {
    const [majority] = await runBenchmark({ arms: [{ method: 'majority' }] })
    const { body } = await readProblem(await api.postJson(`/v1/runs/${majority!.id}/analysis`, {}))
    expect(body).toMatchObject({ status: 409, detail: expect.stringContaining('needs a lora or qlora run') })
  })
})
