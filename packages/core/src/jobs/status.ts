import type { JobStatus } from './job-queue'

/**
 * The one state machine for jobs, runs and benchmarks:
 * queued -> running -> succeeded | failed | cancelled, and queued -> failed | cancelled.
 * Terminal states are final; a retry creates a new attempt through `retry`, which
 * is the only way back to queued.
 */
export const TERMINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly JobStatus[]
export const ACTIVE_STATUSES = ['queued', 'running'] as const satisfies readonly JobStatus[]

export function isTerminal(status: JobStatus): boolean {
  return (TERMINAL_STATUSES as readonly JobStatus[]).includes(status)
}

/**
 * The status of a group (a job's array children, a benchmark's runs) from its
 * members: active while any member is; then failed if any failed, cancelled if any
 * was cancelled, succeeded only when all did.
 */
export function rollUpStatus(members: readonly JobStatus[]): JobStatus {
  if (members.length === 0) return 'succeeded'
  if (members.includes('running')) return 'running'
  if (members.includes('queued')) return members.some((status) => status !== 'queued') ? 'running' : 'queued'
  if (members.includes('failed')) return 'failed'
  if (members.includes('cancelled')) return 'cancelled'
  return 'succeeded'
}
