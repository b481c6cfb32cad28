import type { RunFigures } from '../../contracts'
import type { AnalysisBenchmark, AnalysisRun } from '../comparison'

/** A benchmark and runs made up for analysis tests: each run's summary is exactly what the test gives. */
export const BENCHMARK: AnalysisBenchmark = { id: 'bm_test', name: 'synthetic', status: 'succeeded' }

let ordinal = 0

export function syntheticRun(method: string, hyperparameters: Record<string, unknown>, summary: RunFigures | null, overrides: Partial<AnalysisRun> = {}): AnalysisRun {
  const index = ordinal++
  return {
    id: `run_${index}`,
    ordinal: index,
    method,
    config: { hyperparameters },
    seed: 42,
    status: 'succeeded',
    summary,
    environment: {},
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T01:00:00Z'),
    ...overrides,
  }
}

/** A complete summary as a train job writes it; override any field. */
export function trainSummary(fields: RunFigures = {}): RunFigures {
  return {
    accuracy: 0.9, macroF1: 0.89, validationAccuracy: 0.9, trainSeconds: 600,
    latencyP50Ms: 5, latencyP95Ms: 8, throughputPerSecond: 400,
    peakTensorBytes: 500 * 1024 ** 2, peakRssBytes: 1.5 * 1024 ** 3, peakGpuMemoryBytes: null,
    trainableParameters: 10_000, totalParameters: 1_000_000, trainableRatio: 0.01,
    adapterBytes: 40_000, modelBytes: 4_040_000, backend: 'wasm',
    ...fields,
  }
}
