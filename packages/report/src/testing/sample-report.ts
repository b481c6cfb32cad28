/**
 * A made-up but realistic finished benchmark (baselines, a LoRA rank grid over two
 * seeds, QLoRA, IA3, full fine-tuning) for rendering tests and previews. The
 * analysis is the real one: `buildComparison` and `recommend` over these runs.
 */
import { benchmarkSpecSchema, buildComparison, constraintsOf, parseRunConfig, recommend, seededRandom, type BenchmarkRow, type DatasetRow, type RunEnvironment, type RunRow } from '@bankbench/core'
import { textBaselineSummary, trainRunSummary } from '@bankbench/core/testing'
import type { LossPoint, ReportData } from '../report-data'

const CREATED = new Date('2026-11-25T09:00:00Z')

const ENVIRONMENT: RunEnvironment = { host: 'worker-1', platform: 'linux-x64', cpu: 'AMD EPYC 7R13', cpuCount: 2, memoryBytes: 24 * 2 ** 30, node: 'v20.20.2', codeVersion: '3f9c2a71d04e4b6a9c1e0d2b7a4e5d8c3b1f0a9e', datasetHash: 'sha256-5b8e6e1c0a7d',
  backend: { name: 'wasm', simd: true, threads: 1, gpu: false, tfjsVersion: '4.22.0', customKernels: [], nativeKernels: [] } }

interface SampleArm { method: string; hyperparameters: Record<string, unknown>; accuracy: number; trainable?: number; trainSeconds?: number; tensorBytes?: number }

const ARMS: SampleArm[] = [
  { method: 'majority', hyperparameters: {}, accuracy: 0.013 },
  { method: 'tfidf-logreg', hyperparameters: { C: 10 }, accuracy: 0.9113 },
  { method: 'lora', hyperparameters: { r: 4, lora_alpha: 16 }, accuracy: 0.874, trainable: 160_000 },
  { method: 'lora', hyperparameters: { r: 8, lora_alpha: 16 }, accuracy: 0.889, trainable: 230_000 },
  { method: 'lora', hyperparameters: { r: 16, lora_alpha: 16 }, accuracy: 0.893, trainable: 370_000 },
  { method: 'qlora', hyperparameters: { r: 8, lora_alpha: 16 }, accuracy: 0.884, trainable: 230_000, tensorBytes: 260 * 2 ** 20 },
  { method: 'ia3', hyperparameters: {}, accuracy: 0.842, trainable: 110_000 },
  { method: 'full', hyperparameters: { learning_rate: 0.00005 }, accuracy: 0.902, trainable: 4_400_000, trainSeconds: 2900, tensorBytes: 1.4 * 2 ** 30 },
]

const SEEDS = [1, 2]

const NAME = 'LoRA vs the rest on Banking77'

export function sampleReportData(): ReportData {
  const random = seededRandom(7)
  const runs: RunRow[] = []
  const lossCurves: Record<string, LossPoint[]> = {}
  for (const arm of ARMS) {
    for (const seed of SEEDS) {
      const ordinal = runs.length
      const id = `run_sample${String(ordinal).padStart(2, '0')}`
      const trains = arm.trainable !== undefined
      const noise = (random() - 0.5) * 0.006
      const figures = {
        accuracy: arm.accuracy + noise, validationAccuracy: arm.accuracy + noise / 2, macroF1: arm.accuracy + noise - 0.01,
        trainSeconds: arm.trainSeconds ?? (trains ? 900 + 400 * random() : 2 + random()),
        latencyP50Ms: trains ? 6 + random() : 0.2, latencyP95Ms: trains ? 9 + random() : 0.4, throughputPerSecond: trains ? 300 : 9000,
        peakRssBytes: (trains ? 1.6 : 0.3) * 2 ** 30, backend: 'wasm',
      }
      runs.push({
        id, benchmarkId: 'bm_sample', ordinal, method: arm.method, seed, status: 'succeeded', jobId: 'job_sample', attempt: 1,
        config: parseRunConfig({ method: arm.method, hyperparameters: arm.hyperparameters, seed, epochs: 3, trainSubset: null, testSet: 'official', arm: ARMS.indexOf(arm) }),
        summary: trains
          ? trainRunSummary({ ...figures, peakTensorBytes: arm.tensorBytes ?? 420 * 2 ** 20, trainableParameters: arm.trainable!, totalParameters: 4_400_000, adapterBytes: arm.trainable! * 4 })
          : textBaselineSummary(figures),
        environment: ENVIRONMENT, error: null, heartbeatAt: CREATED, startedAt: CREATED, finishedAt: null, createdAt: CREATED,
      })
      if (trains) lossCurves[id] = lossCurve(random, arm.accuracy)
    }
  }
  const spec = benchmarkSpecSchema.parse({
    name: NAME, dataset: 'banking77', baseModel: 'file:///models/bert-mini',
    arms: [
      { method: 'majority', config: {}, grid: {} }, { method: 'tfidf-logreg', config: { C: 10 }, grid: {} },
      { method: 'lora', config: { lora_alpha: 16 }, grid: { r: [4, 8, 16] } }, { method: 'qlora', config: { r: 8, lora_alpha: 16 }, grid: {} },
      { method: 'ia3', config: {}, grid: {} }, { method: 'full', config: { learning_rate: 0.00005 }, grid: {} },
    ],
    protocol: { seeds: SEEDS, epochs: 3, testSet: 'official', timeoutSeconds: 21600 },
    constraints: {},
    budget: { maxRuns: 200 },
  })
  const benchmark: BenchmarkRow = { id: 'bm_sample', name: NAME, datasetId: 'banking77', spec, status: 'succeeded', idempotencyKey: null, createdAt: CREATED, updatedAt: CREATED }
  const dataset: DatasetRow = {
    id: 'banking77', name: 'banking77', source: 'builtin', contentHash: 'sha256-5b8e6e1c0a7d0f3e', labels: Array.from({ length: 77 }, (_, index) => `intent_${index}`),
    splits: { train: 9503, validation: 500, test: 3080 }, artifactKey: 'datasets/sha256-5b8e6e1c0a7d0f3e/', createdAt: CREATED,
  }
  const comparison = buildComparison(benchmark, runs)
  return { benchmark, dataset, runs, lossCurves, comparison, recommendation: recommend(comparison, constraintsOf(spec)), generatedAt: CREATED }
}

/** A noisy decaying loss from ln(77) towards what the final accuracy suggests. */
function lossCurve(random: () => number, accuracy: number): LossPoint[] {
  const floor = (1 - accuracy) * 2
  return Array.from({ length: 450 }, (_, index) => ({ step: index + 1, value: floor + (Math.log(77) - floor) * Math.exp(-index / 90) + (random() - 0.5) * 0.15 }))
}
