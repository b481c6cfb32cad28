/** The parts of the API's responses the CLI reads (the full schemas are in openapi.yaml). */
import type { JobStatus } from '@bankbench/core'

export interface BenchmarkDetail {
  id: string
  name: string
  status: JobStatus
  progress: Progress
}

export interface Progress {
  total: number
  finished: number
  counts: Partial<Record<JobStatus, number>>
  eta: { secondsRemaining: number } | null
}

export interface RunSummary {
  id: string
  ordinal: number
  method: string
  seed: number
  status: JobStatus
  config: { hyperparameters?: Record<string, unknown> }
  error: string | null
}
