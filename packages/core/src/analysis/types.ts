/**
 * The shapes the analysis produces: the comparison matrix (`buildComparison`) and
 * the recommendations (`recommend`). The report, the CLI and the API all read
 * these, so fields are only ever added, never renamed.
 */
import type { JobStatus } from '../jobs/job-queue'

/**
 * Which measurement a memory figure came from. The main memory figure (`peakMemoryBytes`, the
 * memory criterion, the Pareto front) is always the process's peak RSS, so runs compare like
 * for like; GPU and tensor memory are extra figures.
 */
export type MemorySource = 'gpu' | 'tensor' | 'rss'

export type Pricing = 'on-demand' | 'spot'

/** What a run cost on the instance it is priced on, from its measured duration. */
export interface RunCost {
  dollars: number
  /** Seconds billed: the run's measured wall-clock time, else its training seconds. */
  billedSeconds: number
  instanceType: string
  pricing: Pricing
  dollarsPerHour: number
  /** Keeping the run's artifacts (adapter or model) in S3 for one month. */
  storageDollarsPerMonth: number
  /** Every assumption behind the figures, in words. */
  assumptions: string[]
}

/** A mean over seeds; `std` is the sample standard deviation (n - 1), 0 for one seed. */
export interface SeedStat {
  mean: number
  std: number
  n: number
}

/** One row per run of the benchmark, in plan order. Unmeasured figures are null. */
export interface ComparisonRow {
  runId: string
  ordinal: number
  method: string
  /** The hyperparameters that set this run apart, e.g. `r=8, lora_alpha=16`; `default` when none. */
  configLabel: string
  /** The run's resolved hyperparameters (what configLabel spells out). */
  hyperparameters: Record<string, unknown>
  seed: number
  status: JobStatus
  trainableParameters: number | null
  totalParameters: number | null
  /** Trainable parameters of full fine-tuning ÷ this run's (see parameterReductionBasis). */
  parameterReduction: number | null
  /** `full-run`: against a full fine-tuning run of this benchmark; `total-parameters`: against the model's total (what full fine-tuning would train). */
  parameterReductionBasis: 'full-run' | 'total-parameters' | null
  /** The process's peak resident memory (RSS), measured the same way for every run. */
  peakMemoryBytes: number | null
  /** `rss` when peakMemoryBytes was measured. */
  memorySource: MemorySource | null
  /** Peak GPU memory; null for runs without a GPU. */
  peakGpuMemoryBytes: number | null
  /** Peak bytes held by tensors (engine runs). */
  peakTensorBytes: number | null
  trainSeconds: number | null
  accuracy: number | null
  macroF1: number | null
  validationAccuracy: number | null
  latencyP50Ms: number | null
  latencyP95Ms: number | null
  throughputPerSecond: number | null
  /** Slot filling: span-level micro and macro F1 on the test split, 0-1 (slots runs; null elsewhere). */
  entityMicroF1: number | null
  entityMacroF1: number | null
  /** NLU++'s multi-label intents (slots tagger runs; null elsewhere): micro-F1 on the test folds at the validation-tuned threshold, 0-1. */
  intentMicroF1: number | null
  /** Generation (generate runs; null elsewhere): exact match 0-1, corpus BLEU 0-100, ROUGE-L F1 0-1, perplexity of the reference, ms per decoding step, tokens/s. */
  exactMatch: number | null
  bleu: number | null
  rougeL: number | null
  perplexity: number | null
  latencyPerTokenMs: number | null
  tokensPerSecond: number | null
  /** Banking rubric (docs/rubrics.md): response relevance and security score, 0-10 each. */
  relevanceScore: number | null
  securityScore: number | null
  /** Figures of this row that do not apply to the run's method (the summary's `notApplicable`): shown as "not applicable", not as unmeasured. */
  notApplicable: string[]
  adapterBytes: number | null
  backend: string | null
  cost: RunCost | null
  /** Serving a million queries on Lambda at this run's median latency (see the price table's Lambda memory size). */
  servingDollarsPerMillionQueries: number | null
}

/** The best configuration of one method, chosen by validation accuracy (never by test), over its seeds. */
export interface MethodBestRow {
  method: string
  configLabel: string
  selectedBy: 'validationAccuracy'
  runIds: string[]
  seeds: number[]
  validationAccuracy: SeedStat | null
  accuracy: SeedStat | null
  macroF1: SeedStat | null
  latencyP50Ms: SeedStat | null
  latencyP95Ms: SeedStat | null
  throughputPerSecond: SeedStat | null
  entityMicroF1: SeedStat | null
  entityMacroF1: SeedStat | null
  intentMicroF1: SeedStat | null
  exactMatch: SeedStat | null
  bleu: SeedStat | null
  rougeL: SeedStat | null
  perplexity: SeedStat | null
  latencyPerTokenMs: SeedStat | null
  tokensPerSecond: SeedStat | null
  relevanceScore: SeedStat | null
  securityScore: SeedStat | null
  /** As in ComparisonRow: the figures that do not apply to this method (those of its first run). */
  notApplicable: string[]
  trainSeconds: SeedStat | null
  /** Process peak RSS, as in ComparisonRow. */
  peakMemoryBytes: SeedStat | null
  peakGpuMemoryBytes: SeedStat | null
  peakTensorBytes: SeedStat | null
  costDollars: SeedStat | null
  trainableParameters: number | null
  parameterReduction: number | null
  memorySource: MemorySource | null
}

export interface CostOptions {
  /** Price every run on this instance type; default: the machine it ran on (`local`, or the Batch GPU type). */
  instanceType?: string | undefined
  pricing?: Pricing | undefined
}

export interface Comparison {
  benchmarkId: string
  benchmarkName: string
  status: JobStatus
  generatedAt: string
  /** How costs were computed: the options and the price table's assumptions. */
  cost: { instanceType: string | null; pricing: Pricing; assumptions: string[] }
  runs: ComparisonRow[]
  methods: MethodBestRow[]
}

/** The success criteria of a benchmark (defaults from the study), see `constraintsSchema`. */
export interface Constraints {
  minAccuracy: number
  maxLatencyMs: number
  maxGpuMemoryBytes: number
  minParameterReduction: number
  maxTrainingSeconds: number
}

export type ConstraintName = keyof Constraints

/**
 * `met` / `failed`: measured against the threshold; `unmeasured`: it applies but was not
 * measured (never counted as met); `not-applicable`: it does not apply to the method (e.g. the
 * trainable-parameter reduction of a baseline that trains no transformer parameters), neither
 * met nor failed.
 */
export type CheckState = 'met' | 'failed' | 'unmeasured' | 'not-applicable'

export interface ConstraintCheck {
  constraint: ConstraintName
  threshold: number
  /** The measured value (a mean over seeds for a method); null when not measured or not applicable. */
  measured: number | null
  /** null when the value was not measured or the criterion does not apply: see `state`. */
  passed: boolean | null
  state: CheckState
  detail: string
}

export interface ConstraintVerdict {
  method: string
  configLabel: string
  runIds: string[]
  /** Every criterion that applies is met (not-applicable ones are left out). */
  meetsAll: boolean
  checks: ConstraintCheck[]
}

/** A method's best configuration as a candidate for recommendation, ranked by `RECOMMENDATION_RULE`. */
export interface RecommendationCandidate {
  method: string
  configLabel: string
  runIds: string[]
  meetsAll: boolean
  /** Criteria met or not applicable. */
  criteriaMet: number
  /** The criteria it misses (failed or unmeasured). */
  missedCriteria: ConstraintName[]
  /** Each missed criterion in words. */
  misses: string[]
  /** Whether its runs can be deployed (engine runs save a classifier; baselines do not). */
  servable: boolean
  validationAccuracy: number | null
  latencyP50Ms: number | null
}

export type ParetoAxis = 'peakMemoryBytes' | 'trainSeconds' | 'trainableParameters'

export interface ParetoPoint {
  runId: string
  method: string
  configLabel: string
  /** The cost axis (lower is better). */
  x: number
  /** Test accuracy (higher is better). */
  y: number
}

/** Runs no other run beats on both accuracy and the cost axis, sorted by x. */
export interface ParetoFront {
  x: ParetoAxis
  y: 'accuracy'
  points: ParetoPoint[]
}

export interface StudyAnswer {
  question: string
  /** One or two sentences generated from the data. */
  answer: string
  enoughData: boolean
  /** The figures the answer rests on. */
  data: Record<string, unknown>
}

export interface Recommendation {
  benchmarkId: string
  constraints: Constraints
  /** Every succeeded run against every constraint. */
  runs: ConstraintVerdict[]
  /** Each method's best configuration (mean over seeds) against every constraint. */
  methods: ConstraintVerdict[]
  paretoFronts: { accuracyVsMemory: ParetoFront; accuracyVsTime: ParetoFront; accuracyVsParameters: ParetoFront }
  /**
   * The best candidate by `rule`: a method that meets every criterion when one does, else the one
   * closest to it (meetsAll false, missedCriteria say what it misses). Null only when no run succeeded.
   */
  best: {
    method: string; configLabel: string; runIds: string[]; reasons: string[]
    meetsAll: boolean; missedCriteria: ConstraintName[]; misses: string[]; servable: boolean
  } | null
  /** Why no method meets every criterion (empty when one does). */
  noneReasons: string[]
  /** How candidates are ranked, in words. */
  rule: string
  /** Every candidate method (pretraining excluded), best first by `rule`. */
  candidates: RecommendationCandidate[]
  questions: { optimalLoraRank: StudyAnswer; qloraWorthIt: StudyAnswer; bestOverall: StudyAnswer }
}
