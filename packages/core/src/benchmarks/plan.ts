import type { JobKind } from '../jobs/job-queue'
import { ProblemError } from '../errors'
import { isMethodName, METHOD_CATALOG, METHOD_NAMES, type MethodName } from './methods'
import type { BenchmarkSpec } from './spec'

export interface PlannedRun {
  ordinal: number
  method: MethodName
  jobKind: JobKind
  seed: number
  /** The resolved configuration: arm config, one grid point, the protocol. */
  config: Record<string, unknown>
}

/**
 * Expands a benchmark into runs: for each arm, the cartesian product of its grid,
 * times each seed. Every run's config is validated against its method's schema so
 * a typo in a hyperparameter name fails the request, not a job an hour later.
 */
export function planRuns(spec: BenchmarkSpec): PlannedRun[] {
  const runs: PlannedRun[] = []
  spec.arms.forEach((arm, armIndex) => {
    if (!isMethodName(arm.method)) {
      throw new ProblemError('validation-failed', `arms[${armIndex}].method '${arm.method}' is not a known method; use one of: ${METHOD_NAMES.join(', ')}`,
        [{ path: `arms.${armIndex}.method`, message: `unknown method '${arm.method}'` }])
    }
    const method = arm.method
    for (const point of gridPoints(arm.grid)) {
      const hyperparameters = { ...arm.config, ...point }
      const parsed = METHOD_CATALOG[method].config.safeParse(hyperparameters)
      if (!parsed.success) {
        const errors = parsed.error.issues.map((issue) => ({ path: `arms.${armIndex}.${issue.path.join('.') || 'config'}`, message: issue.message }))
        throw new ProblemError('validation-failed', `arms[${armIndex}] (${method}) has invalid hyperparameters: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors)
      }
      for (const seed of spec.protocol.seeds) {
        runs.push({
          ordinal: runs.length,
          method,
          jobKind: METHOD_CATALOG[method].jobKind,
          seed,
          config: { method, hyperparameters: parsed.data, seed, epochs: spec.protocol.epochs, trainSubset: spec.protocol.trainSubset ?? null, testSet: spec.protocol.testSet, arm: armIndex },
        })
        if (runs.length > spec.budget.maxRuns) {
          throw new ProblemError('validation-failed', `the benchmark expands to more than budget.maxRuns=${spec.budget.maxRuns} runs; shrink the grids or raise budget.maxRuns`)
        }
      }
    }
  })
  return runs
}

/** Groups runs into one (array) job per job kind. */
export function groupRunsByJobKind(runs: PlannedRun[]): Map<JobKind, PlannedRun[]> {
  const groups = new Map<JobKind, PlannedRun[]>()
  for (const run of runs) groups.set(run.jobKind, [...(groups.get(run.jobKind) ?? []), run])
  return groups
}

function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}]
  for (const [key, values] of Object.entries(grid)) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })))
  }
  return points
}
