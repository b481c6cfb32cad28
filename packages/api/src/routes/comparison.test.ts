import { benchmarkSpecSchema, completeRun, createBenchmark, listRunsOfBenchmark, planRuns, rollUpJob, startRun, type RunSummary } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'
import { textBaselineSummary, trainRunSummary } from '@bankbench/core/testing'

/** A benchmark whose runs are completed here with made-up summaries, as train jobs would write them. */
let api: TestApi
let benchmarkId: string
const GiB = 1024 ** 3

beforeAll(async () => {
  api = await openTestApi()
  const { db } = api.platform
  const spec = benchmarkSpecSchema.parse({ name: 'analysis', arms: [{ method: 'full' }, { method: 'lora', grid: { r: [4, 8] } }, { method: 'majority' }], protocol: { seeds: [1, 2] } })
  const { benchmark } = await createBenchmark(db, { name: 'analysis', datasetId: 'banking77', spec, plannedRuns: planRuns(spec), queue: 'local', timeoutSeconds: 60, attempts: 1 })
  benchmarkId = benchmark.id
  const summaries: Record<string, (seed: number, lowRank: boolean) => RunSummary> = {
    full: () => trainRunSummary({ accuracy: 0.93, validationAccuracy: 0.93, trainableParameters: 1_000_000, totalParameters: 1_000_000, peakRssBytes: 3 * GiB, peakTensorBytes: 2 * GiB, trainSeconds: 2000, latencyP50Ms: 4 }),
    lora: (seed, lowRank) => trainRunSummary({ accuracy: 0.9 + seed / 100, validationAccuracy: lowRank ? 0.85 : 0.9 + seed / 100, trainableParameters: 20_000, totalParameters: 1_020_000, peakRssBytes: GiB, peakTensorBytes: GiB / 4, trainSeconds: 600, latencyP50Ms: 5 }),
    majority: () => textBaselineSummary({ accuracy: 0.013, validationAccuracy: 0.013, peakRssBytes: GiB, trainSeconds: 1, latencyP50Ms: 0.01 }),
  }
  for (const run of await listRunsOfBenchmark(db, benchmarkId)) {
    await startRun(db, run.id, {})
    const lowRank = run.config.method === 'lora' && run.config.hyperparameters.r === 4
    await completeRun(db, run.id, summaries[run.method]!(run.seed, lowRank))
    await rollUpJob(db, run.jobId!)
  }
})
afterAll(async () => { await api?.close() })

describe('GET /v1/benchmarks/{id}/comparison', () => {
  it("answers a row per run and each method's best configuration with mean and std over seeds", async () => {
    const response = await api.app.request(`/v1/benchmarks/${benchmarkId}/comparison?instanceType=g5.xlarge&pricing=spot`)
    expect(response.status).toBe(200)
    const comparison = await response.json() as { status: string; runs: { method: string; seed: number; parameterReduction: number | null; peakMemoryBytes: number | null; peakTensorBytes: number | null; cost: { instanceType: string; pricing: string } | null }[]; methods: { method: string; configLabel: string; accuracy: { mean: number; std: number; n: number } }[]; cost: { assumptions: string[] } }
    expect(comparison.status).toBe('succeeded')
    expect(comparison.runs).toHaveLength(8)
    expect(comparison.runs.find((row) => row.method === 'lora')).toMatchObject({ parameterReduction: 50, cost: { instanceType: 'g5.xlarge', pricing: 'spot' } })
    // Memory is process RSS for every run, engine or baseline; tensor bytes an extra column.
    expect(comparison.runs.filter((row) => row.seed === 1 || row.method === 'majority').map((row) => [row.method, row.peakMemoryBytes, row.peakTensorBytes]))
      .toEqual([['full', 3 * GiB, 2 * GiB], ['lora', GiB, GiB / 4], ['lora', GiB, GiB / 4], ['majority', GiB, null], ['majority', GiB, null]])
    const lora = comparison.methods.find((row) => row.method === 'lora')!
    expect(lora.configLabel).toBe('r=8')
    expect(lora.accuracy).toEqual({ mean: expect.closeTo(0.915, 9), std: expect.closeTo(Math.SQRT1_2 / 100, 9), n: 2 })
    expect(comparison.cost.assumptions.join(' ')).toMatch(/Spot is assumed/)
  })

  it('answers CSV with ?format=csv, per run or per method', async () => {
    const runs = await api.app.request(`/v1/benchmarks/${benchmarkId}/comparison?format=csv`)
    expect(runs.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = (await runs.text()).trim().split('\r\n')
    expect(lines).toHaveLength(9)
    expect(lines[0]).toMatch(/^run_id,method,config,seed,status,/)
    const methods = (await (await api.app.request(`/v1/benchmarks/${benchmarkId}/comparison?format=csv&view=methods`)).text()).trim().split('\r\n')
    expect(methods.map((line) => line.split(',')[0])).toEqual(['method', 'full', 'lora', 'majority'])
  })

  it('refuses an instance type without a price, and an unknown benchmark', async () => {
    const problem = await readProblem(await api.app.request(`/v1/benchmarks/${benchmarkId}/comparison?instanceType=x9.huge`))
    expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'query.instanceType' }], detail: expect.stringContaining('g5.xlarge') })
    expect((await api.app.request('/v1/benchmarks/bm_nowhere/comparison')).status).toBe(404)
  })
})

describe('GET /v1/benchmarks/{id}/recommendations', () => {
  it('checks the constraints, recommends the best method meeting them and answers the study questions', async () => {
    const response = await api.app.request(`/v1/benchmarks/${benchmarkId}/recommendations`)
    expect(response.status).toBe(200)
    const recommendation = await response.json() as {
      constraints: { minAccuracy: number }
      methods: { method: string; meetsAll: boolean; checks: { constraint: string; state: string }[] }[]
      best: { method: string; configLabel: string; reasons: string[] } | null
      paretoFronts: { accuracyVsMemory: { points: { method: string }[] } }
      questions: Record<'optimalLoraRank' | 'qloraWorthIt' | 'bestOverall', { enoughData: boolean; answer: string }>
    }
    expect(recommendation.constraints.minAccuracy).toBe(0.88)
    expect(recommendation.methods.map((verdict) => [verdict.method, verdict.meetsAll])).toEqual([['full', false], ['lora', true], ['majority', false]])
    expect(recommendation.best).toMatchObject({ method: 'lora', configLabel: 'r=8' })
    expect(recommendation.best!.reasons[1]).toBe('It is the only method that meets every constraint.')
    // A baseline trains no transformer parameters: the reduction does not apply to it; nor does GPU memory, since it used no GPU.
    expect(recommendation.methods.find((verdict) => verdict.method === 'majority')!.checks.map((check) => [check.constraint, check.state])).toEqual([
      ['minAccuracy', 'failed'], ['maxLatencyMs', 'met'], ['maxGpuMemoryBytes', 'not-applicable'], ['minParameterReduction', 'not-applicable'], ['maxTrainingSeconds', 'met'],
    ])
    // Seed 2 of both LoRA ranks ties at 1 GiB and 92%, the two full runs at 3 GiB and 93%: ties stay on the front.
    expect(recommendation.paretoFronts.accuracyVsMemory.points.map((point) => point.method)).toEqual(['lora', 'lora', 'full', 'full'])
    expect(recommendation.questions.optimalLoraRank).toMatchObject({ enoughData: true, answer: expect.stringMatching(/^r=8 is best/) })
    expect(recommendation.questions.qloraWorthIt.enoughData).toBe(false)
    expect(recommendation.questions.bestOverall.answer).toMatch(/^full \(default\) has the highest validation accuracy/)
  })
})
