import { jobKindRank, type JobKind } from '../jobs/job-queue'
import { ProblemError } from '../errors'
import { isMethodName, METHOD_CATALOG, METHOD_NAMES, type MethodName } from './methods'
import { seededShuffle } from '@bankbench/data'
import { PRESETS } from './presets'
import { armSchema, type Arm, type BenchmarkSpec } from './spec'
import { describeErrors, issuesToErrors, nearestWord, quoteForMessage, unknownKeysMessage } from '../validation'
import { runConfig, type RunConfig } from '../contracts/run-config'

export interface PlannedRun {
  ordinal: number
  method: MethodName
  jobKind: JobKind
  seed: number
  /** The resolved configuration: arm config, one grid point, the protocol. */
  config: RunConfig
}

/**
 * Without a subsample the plan stops at budget.maxRuns; with one it may expand this
 * far before the draw (a whole preset grid is a few hundred runs).
 */
export const SUBSAMPLED_EXPANSION_LIMIT = 10_000

/**
 * Expands a benchmark into runs: for each arm (presets resolved into theirs), the
 * cartesian product of its grid, times each seed; then, with `subsample`, a seeded
 * draw of at most maxRunsPerMethod runs per method. Before anything is expanded,
 * each arm's method and hyperparameter names are checked and the plan's size is
 * computed from the grids (`countPlannedRuns`): a grid of 6 keys x 20 values is
 * 64 million runs, refused by arithmetic, not by running out of memory. Every run's
 * config is validated against its method's schema so a wrong hyperparameter value
 * fails the request, not a job an hour later.
 */
export function planRuns(spec: BenchmarkSpec): PlannedRun[] {
  const arms = resolveArms(spec)
  arms.forEach(checkArmNames)
  checkHybridClassifiers(arms)
  checkRunBudget(spec, arms)
  const runs: PlannedRun[] = []
  arms.forEach((arm, armIndex) => {
    const method = arm.method as MethodName
    for (const point of gridPoints(arm.grid)) {
      const parsed = METHOD_CATALOG[method].config.safeParse({ ...arm.config, ...point })
      if (!parsed.success) {
        const errors = issuesToErrors(parsed.error.issues, ['arms', armIndex, 'config'])
        throw new ProblemError('validation-failed', `arms[${armIndex}] (${method}) has invalid hyperparameters: ${describeErrors(errors)}`, errors)
      }
      // An arm's own `epochs` overrides the protocol's; the handlers read it from config.epochs (runConfig drops it from the hyperparameters).
      const epochs = 'epochs' in parsed.data ? parsed.data.epochs : undefined
      for (const seed of spec.protocol.seeds) {
        runs.push({
          ordinal: runs.length,
          method,
          jobKind: METHOD_CATALOG[method].jobKind,
          seed,
          config: runConfig(method, parsed.data, { seed, epochs: epochs ?? spec.protocol.epochs, trainSubset: spec.protocol.trainSubset ?? null, testSet: spec.protocol.testSet, arm: armIndex }),
        })
      }
    }
  })
  const planned = spec.subsample ? subsampleRuns(runs, spec.subsample) : runs
  if (planned.length > spec.budget.maxRuns) throw tooManyRuns(spec, planned.length, spec.budget.maxRuns)
  return planned
}

/**
 * How many runs the arms expand to before any subsample: for each arm the product
 * of its grid's value counts, times the seeds. Arithmetic only, nothing expanded
 * (a number past 2^53 is approximate, and still over any limit).
 */
export function countPlannedRuns(spec: Pick<BenchmarkSpec, 'arms' | 'preset' | 'protocol'>, arms: Arm[] = resolveArms(spec)): number {
  return arms.reduce((total, arm) => total + gridSize(arm.grid) * spec.protocol.seeds.length, 0)
}

/**
 * Refuses a plan larger than the budget before it is expanded: more than
 * budget.maxRuns runs, or with a subsample more than SUBSAMPLED_EXPANSION_LIMIT
 * before the draw. The problem says the computed count and the limit.
 */
export function checkRunBudget(spec: BenchmarkSpec, arms: Arm[] = resolveArms(spec)): void {
  const limit = spec.subsample ? SUBSAMPLED_EXPANSION_LIMIT : spec.budget.maxRuns
  const count = countPlannedRuns(spec, arms)
  if (count <= limit) return
  const largest = arms.map((arm, index) => ({ index, size: gridSize(arm.grid) })).sort((a, b) => b.size - a.size)[0]!
  const grid = arms[largest.index]!.grid
  const factors = Object.entries(grid).map(([key, values]) => `${values.length} ${key}`)
  // With presets the resolved arms are not the request's: name the arm by its method then.
  const written = spec.arms !== undefined && spec.arms.every((entry) => !('preset' in entry))
  const arm = written ? `arms[${largest.index}]` : `the ${arms[largest.index]!.method} arm`
  const breakdown = `the largest is ${arm}: ${factors.length > 0 ? factors.join(' x ') : '1 configuration'} x ${spec.protocol.seeds.length} seed${spec.protocol.seeds.length === 1 ? '' : 's'}`
  throw tooManyRuns(spec, count, limit, breakdown)
}

function gridSize(grid: Record<string, unknown[]>): number {
  return Object.values(grid).reduce((size, values) => size * values.length, 1)
}

/**
 * Each arm names a known method and only hyperparameters that method has (in
 * config and grid), checked once per arm before anything is expanded; a misspelled
 * name is answered with the nearest known one.
 */
function checkArmNames(arm: Arm, armIndex: number): void {
  if (!isMethodName(arm.method)) {
    const nearest = nearestWord(arm.method, METHOD_NAMES)
    throw new ProblemError('validation-failed', `arms[${armIndex}].method ${quoteForMessage(arm.method)} is not a known method; use one of: ${METHOD_NAMES.join(', ')}${nearest ? `; did you mean '${nearest}'?` : ''}`,
      [{ path: `arms.${armIndex}.method`, message: `unknown method ${quoteForMessage(arm.method)}` }])
  }
  const known = methodFieldNames(arm.method)
  const errors = (['config', 'grid'] as const).flatMap((part) => {
    const unknown = Object.keys(arm[part]).filter((key) => !known.includes(key))
    return unknown.length === 0 ? [] : [{
      path: `arms.${armIndex}.${part}`,
      message: unknownKeysMessage(unknown, known).replace(/unknown key ('(?:[^'\\]|\\.)*')/g, (_, key: string) => `unknown hyperparameter ${key} of ${arm.method} in arms[${armIndex}].${part}`),
    }]
  })
  if (errors.length > 0) throw new ProblemError('validation-failed', `arms[${armIndex}] (${arm.method}) has unknown hyperparameters: ${describeErrors(errors)}`, errors)
}

/**
 * A hybrid arm that names its classifier by method (`classifier`) mixes a run of that method of the
 * same benchmark: the benchmark must have an arm of it (the hybrid job waits for the train and
 * baseline jobs; JOB_DEPENDENCIES). A `classifier_run` names a finished run instead, and needs none.
 */
function checkHybridClassifiers(arms: Arm[]): void {
  const methods = new Set(arms.map((arm) => arm.method))
  arms.forEach((arm, armIndex) => {
    if (arm.method !== 'hybrid') return
    const named = [arm.config.classifier, ...(arm.grid.classifier ?? [])].filter((value): value is string => typeof value === 'string')
    const missing = named.filter((method) => !methods.has(method))
    if (missing.length === 0) return
    throw new ProblemError('validation-failed', `arms[${armIndex}] (hybrid) mixes the classifier of a ${missing[0]} run, but the benchmark has no ${missing[0]} arm; add one, or name a finished run with classifier_run`,
      [{ path: `arms.${armIndex}.config.classifier`, message: `no ${missing[0]} arm in this benchmark` }])
  })
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

function tooManyRuns(spec: BenchmarkSpec, count: number, limit: number, breakdown?: string): ProblemError {
  const subsampling = spec.subsample !== undefined && limit === SUBSAMPLED_EXPANSION_LIMIT
  const remedy = subsampling ? 'shrink the grids or the seeds' : spec.subsample ? 'lower subsample.maxRunsPerMethod or raise budget.maxRuns' : 'shrink the grids, add a subsample, or raise budget.maxRuns'
  const what = subsampling ? `the limit of ${limit.toLocaleString('en-US')} runs a plan may expand to before subsampling` : `budget.maxRuns=${limit}`
  const counted = Number.isFinite(count) ? count.toLocaleString('en-US') : 'more than 10^308'
  return new ProblemError('validation-failed', `the benchmark expands to ${counted} runs${breakdown ? ` (${breakdown})` : ''}, more than ${what}; ${remedy}`,
    [{ path: subsampling ? 'arms' : 'budget.maxRuns', message: `${counted} runs planned, at most ${limit} allowed` }])
}

/**
 * Groups runs into one (array) job per job kind, dependencies first (jobKindRank): the
 * pretrain job (the other jobs of the benchmark depend on the backbone it makes), then
 * the rest, the hybrid job last (it reads the train and baseline jobs' classifiers).
 */
export function groupRunsByJobKind(runs: PlannedRun[]): Map<JobKind, PlannedRun[]> {
  const groups = new Map<JobKind, PlannedRun[]>()
  const ordered = [...runs].sort((a, b) => jobKindRank(a.jobKind) - jobKindRank(b.jobKind) || a.ordinal - b.ordinal)
  for (const run of ordered) groups.set(run.jobKind, [...(groups.get(run.jobKind) ?? []), run])
  return groups
}

/** The grid's points one at a time (the first key varies slowest); never the whole product in memory. */
function* gridPoints(grid: Record<string, unknown[]>): Generator<Record<string, unknown>> {
  const entries = Object.entries(grid)
  const indices = entries.map(() => 0)
  for (;;) {
    yield Object.fromEntries(entries.map(([key, values], i) => [key, values[indices[i]!]]))
    let position = entries.length - 1
    while (position >= 0 && ++indices[position]! === entries[position]![1].length) indices[position--] = 0
    if (position < 0) return
  }
}

/** The names of the hyperparameters a method takes. */
export function methodFieldNames(method: MethodName): string[] {
  return Object.keys(METHOD_CATALOG[method].config.shape)
}
