import type { JobKind } from '../jobs/job-queue'
import { ProblemError } from '../errors'
import { isMethodName, METHOD_CATALOG, METHOD_NAMES, type MethodName } from './methods'
import { seededShuffle } from '@bankbench/data'
import { PRESETS } from './presets'
import { armSchema, type Arm, type BenchmarkSpec } from './spec'

export interface PlannedRun {
  ordinal: number
  method: MethodName
  jobKind: JobKind
  seed: number
  /** The resolved configuration: arm config, one grid point, the protocol. */
  config: Record<string, unknown>
}

/**
 * Without a subsample the plan stops at budget.maxRuns; with one it may expand this
 * far before the draw (a whole preset grid is a few hundred runs).
 */
const SUBSAMPLED_EXPANSION_LIMIT = 10_000

/**
 * Expands a benchmark into runs: for each arm (presets resolved into theirs), the
 * cartesian product of its grid, times each seed; then, with `subsample`, a seeded
 * draw of at most maxRunsPerMethod runs per method. Every run's config is validated
 * against its method's schema so a typo in a hyperparameter name fails the request,
 * not a job an hour later.
 */
export function planRuns(spec: BenchmarkSpec): PlannedRun[] {
  const expansionLimit = spec.subsample ? SUBSAMPLED_EXPANSION_LIMIT : spec.budget.maxRuns
  const runs: PlannedRun[] = []
  resolveArms(spec).forEach((arm, armIndex) => {
    if (!isMethodName(arm.method)) {
      throw new ProblemError('validation-failed', `arms[${armIndex}].method '${arm.method}' is not a known method; use one of: ${METHOD_NAMES.join(', ')}`,
        [{ path: `arms.${armIndex}.method`, message: `unknown method '${arm.method}'` }])
    }
    const method = arm.method
    for (const point of gridPoints(arm.grid)) {
      const parsed = METHOD_CATALOG[method].config.safeParse({ ...arm.config, ...point })
      if (!parsed.success) {
        const errors = parsed.error.issues.map((issue) => ({ path: `arms.${armIndex}.${issue.path.join('.') || 'config'}`, message: issue.message }))
        throw new ProblemError('validation-failed', `arms[${armIndex}] (${method}) has invalid hyperparameters: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors)
      }
      // An arm's own `epochs` overrides the protocol's; the handlers read it from config.epochs.
      const { epochs, ...hyperparameters } = parsed.data as Record<string, unknown> & { epochs?: number }
      for (const seed of spec.protocol.seeds) {
        runs.push({
          ordinal: runs.length,
          method,
          jobKind: METHOD_CATALOG[method].jobKind,
          seed,
          config: { method, hyperparameters, seed, epochs: epochs ?? spec.protocol.epochs, trainSubset: spec.protocol.trainSubset ?? null, testSet: spec.protocol.testSet, arm: armIndex },
        })
        if (runs.length > expansionLimit) throw tooManyRuns(spec, expansionLimit)
      }
    }
  })
  const planned = spec.subsample ? subsampleRuns(runs, spec.subsample) : runs
  if (planned.length > spec.budget.maxRuns) throw tooManyRuns(spec, spec.budget.maxRuns)
  return planned
}

/** The spec's arms with every preset (the spec's own, or `{ preset }` entries) replaced by the preset's arms. */
export function resolveArms(spec: Pick<BenchmarkSpec, 'arms' | 'preset'>): Arm[] {
  const entries = spec.arms ?? (spec.preset ? [{ preset: spec.preset }] : [])
  return entries.flatMap((entry) => 'preset' in entry ? PRESETS[entry.preset].arms.map((arm) => armSchema.parse(arm)) : [entry])
}

/** At most maxRunsPerMethod runs of each method, drawn with the seed, in plan order and numbered again. */
function subsampleRuns(runs: PlannedRun[], { maxRunsPerMethod, seed }: { maxRunsPerMethod: number; seed: number }): PlannedRun[] {
  const kept = new Set<PlannedRun>()
  for (const method of new Set(runs.map((run) => run.method))) {
    const ofMethod = runs.filter((run) => run.method === method)
    for (const run of seededShuffle(ofMethod, seed).slice(0, maxRunsPerMethod)) kept.add(run)
  }
  return runs.filter((run) => kept.has(run)).map((run, ordinal) => ({ ...run, ordinal }))
}

function tooManyRuns(spec: BenchmarkSpec, limit: number): ProblemError {
  const remedy = spec.subsample ? 'lower subsample.maxRunsPerMethod or raise budget.maxRuns' : 'shrink the grids, add a subsample, or raise budget.maxRuns'
  const what = limit === spec.budget.maxRuns ? `budget.maxRuns=${limit}` : `${limit} (the most a grid may expand to before subsampling)`
  return new ProblemError('validation-failed', `the benchmark expands to more than ${what} runs; ${remedy}`)
}

/**
 * Groups runs into one (array) job per job kind, the pretrain job first: the other
 * jobs of the benchmark depend on the backbone it makes.
 */
export function groupRunsByJobKind(runs: PlannedRun[]): Map<JobKind, PlannedRun[]> {
  const groups = new Map<JobKind, PlannedRun[]>()
  const ordered = [...runs.filter((run) => run.jobKind === 'pretrain'), ...runs.filter((run) => run.jobKind !== 'pretrain')]
  for (const run of ordered) groups.set(run.jobKind, [...(groups.get(run.jobKind) ?? []), run])
  return groups
}

function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}]
  for (const [key, values] of Object.entries(grid)) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })))
  }
  return points
}
