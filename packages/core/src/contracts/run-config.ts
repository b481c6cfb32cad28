/**
 * The configuration of one run (`runs.config`): what the planner writes (`planRuns`)
 * and what the job handlers read. A union discriminated by `method`, each method with
 * its own hyperparameters as METHOD_CATALOG validates them; `RunConfigOfKind<'train'>`
 * and friends are the part of it one job kind executes.
 */
import { z } from 'zod'
import { METHOD_CATALOG, METHOD_NAMES, type MethodName } from '../benchmarks/methods'
import { TEST_SETS, type TestSetChoice } from '../benchmarks/spec'
import { describeErrors, issuesToErrors } from '../validation'

/**
 * The job kinds that execute (or, for `analyze`, read) a planned run in the trainer
 * container, each with a typed config and result (`RunHandler<K>`).
 */
export const TRAINER_JOB_KINDS = ['baseline', 'train', 'pretrain', 'slots', 'generate', 'analyze', 'select', 'embed', 'index', 'vector-bench', 'hybrid'] as const
export type TrainerJobKind = (typeof TRAINER_JOB_KINDS)[number]

/** Methods whose runs save a LoRA adapter (B·A updates): what an `analyze` job reads. */
export const LORA_METHODS = ['lora', 'qlora'] as const satisfies readonly MethodName[]
export type LoraMethod = (typeof LORA_METHODS)[number]

/** The methods a job kind runs: METHOD_CATALOG's `jobKind`, and for `analyze` the LoRA methods whose runs it reads. */
export type MethodOfKind<K extends TrainerJobKind> = K extends 'analyze'
  ? LoraMethod
  : { [M in MethodName]: (typeof METHOD_CATALOG)[M]['jobKind'] extends K ? M : never }[MethodName]

/**
 * A method's hyperparameters as the edge validated them (snake_case, Hugging Face PEFT
 * names; every field optional, defaults are the runner's). `epochs` is not among them:
 * the planner moves an arm's `epochs` to the config's own field.
 */
export type Hyperparameters<M extends MethodName = MethodName> = M extends MethodName
  ? Omit<z.output<(typeof METHOD_CATALOG)[M]['config']>, 'epochs'>
  : never

/** One run's configuration, for one method (a union over methods for a union `M`). */
export type RunConfigOf<M extends MethodName> = M extends MethodName ? {
  method: M
  hyperparameters: Hyperparameters<M>
  seed: number
  /** The arm's `epochs` if it set one, else the protocol's (baselines ignore it). */
  epochs: number
  /** Train on a seeded subset of this many rows; null for the whole train split. */
  trainSubset: number | null
  testSet: TestSetChoice
  /** Index of the (preset-resolved) arm the run was planned from. */
  arm: number
} : never

/** Any run's configuration. Narrow it by `method` (or with `isRunConfigOfKind`). */
export type RunConfig = RunConfigOf<MethodName>

/** The configurations a job kind's handler receives. */
export type RunConfigOfKind<K extends TrainerJobKind> = Extract<RunConfig, { method: MethodOfKind<K> }>

/** Whether a job of `kind` executes (or, for analyze, reads) a run of this configuration. */
export function isRunConfigOfKind<K extends TrainerJobKind>(kind: K, config: RunConfig): config is RunConfigOfKind<K> {
  return kind === 'analyze' ? (LORA_METHODS as readonly MethodName[]).includes(config.method) : METHOD_CATALOG[config.method].jobKind === kind
}

export function isTrainerJobKind(kind: string): kind is TrainerJobKind {
  return (TRAINER_JOB_KINDS as readonly string[]).includes(kind)
}

const storedRunConfigSchema = z.object({
  method: z.enum(METHOD_NAMES),
  hyperparameters: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  epochs: z.number().int().positive(),
  trainSubset: z.number().int().positive().nullable(),
  // Runs planned before the protocol had a test set evaluated on the official split.
  testSet: z.enum(TEST_SETS).default('official'),
  arm: z.number().int().min(0),
})

/**
 * Reads a stored config against the contract: the common fields, then the
 * hyperparameters against the method's METHOD_CATALOG schema. A config that does not
 * match (written by another version, edited by hand) is an error that says which
 * field and why, where the job starts, not a wrong default an hour into training.
 * The hyperparameters are validated, not rewritten: a handler gets them as stored
 * (same keys, same order; the pretrain job's recipe is their JSON).
 */
export function parseRunConfig(value: unknown, what = 'the run'): RunConfig {
  const common = storedRunConfigSchema.safeParse(value)
  if (!common.success) throw invalidConfig(what, common.error.issues, [])
  const { method, hyperparameters } = common.data
  const checked = METHOD_CATALOG[method].config.safeParse(hyperparameters)
  if (!checked.success) throw invalidConfig(what, checked.error.issues, ['hyperparameters'])
  return runConfig(method, hyperparameters, common.data)
}

/**
 * Assembles a config from a method and hyperparameters already validated against
 * METHOD_CATALOG[method] (by `parseRunConfig` or the planner). The one place that
 * tells TypeScript what the validation established: a method and the output of its
 * own schema belong together.
 */
export function runConfig(method: MethodName, hyperparameters: Record<string, unknown>, protocol: Omit<RunConfig, 'method' | 'hyperparameters'>): RunConfig {
  const { epochs: _epochs, ...rest } = hyperparameters
  return { method, hyperparameters: rest, seed: protocol.seed, epochs: protocol.epochs, trainSubset: protocol.trainSubset, testSet: protocol.testSet, arm: protocol.arm } as RunConfig
}

function invalidConfig(what: string, issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): Error {
  return new Error(`${what}'s stored config does not match the run config contract: ${describeErrors(issuesToErrors(issues, prefix))}`)
}
