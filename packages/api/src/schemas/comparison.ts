import type { Comparison, Recommendation } from '@bankbench/core'
import { z } from '@hono/zod-openapi'
import { StatusSchema } from './benchmarks'
import { JsonObject } from './common'

/** The response schemas of the analysis (types in packages/core/src/analysis/types.ts). */

const nullableNumber = z.number().nullable()
const MemorySourceSchema = z.enum(['gpu', 'tensor', 'rss']).openapi({ description: 'Which measurement peak memory came from: GPU memory, else peak tensor bytes, else process RSS.' })
const PricingSchema = z.enum(['on-demand', 'spot'])

const RunCostSchema = z.object({
  dollars: z.number(),
  billedSeconds: z.number().openapi({ description: "The run's measured wall-clock time, else its training seconds." }),
  instanceType: z.string().openapi({ example: 'g5.xlarge' }),
  pricing: PricingSchema,
  dollarsPerHour: z.number(),
  storageDollarsPerMonth: z.number().openapi({ description: 'Keeping the adapter (or model) in S3 for a month.' }),
  assumptions: z.array(z.string()),
}).openapi('RunCost')

const SeedStatSchema = z.object({
  mean: z.number(),
  std: z.number().openapi({ description: 'Sample standard deviation over seeds; 0 for one seed.' }),
  n: z.number().int(),
}).openapi('SeedStat')

const ComparisonRowSchema = z.object({
  runId: z.string(),
  ordinal: z.number().int(),
  method: z.string(),
  configLabel: z.string().openapi({ example: 'lora_alpha=16, r=8' }),
  hyperparameters: JsonObject,
  seed: z.number().int(),
  status: StatusSchema,
  trainableParameters: nullableNumber,
  totalParameters: nullableNumber,
  parameterReduction: nullableNumber.openapi({ description: 'Trainable parameters of full fine-tuning ÷ this run\'s.' }),
  parameterReductionBasis: z.enum(['full-run', 'total-parameters']).nullable(),
  peakMemoryBytes: nullableNumber.openapi({ description: "The process's peak resident memory (RSS), measured the same way for every run." }),
  memorySource: MemorySourceSchema.nullable(),
  peakGpuMemoryBytes: nullableNumber.openapi({ description: 'Peak GPU memory; null for runs without a GPU.' }),
  peakTensorBytes: nullableNumber.openapi({ description: 'Peak bytes held by tensors (engine runs).' }),
  trainSeconds: nullableNumber,
  accuracy: nullableNumber.openapi({ description: 'Test accuracy.' }),
  macroF1: nullableNumber,
  validationAccuracy: nullableNumber,
  latencyP50Ms: nullableNumber,
  latencyP95Ms: nullableNumber,
  throughputPerSecond: nullableNumber,
  entityMicroF1: nullableNumber.openapi({ description: 'Slot filling (slots runs): span-level micro F1 on the test split, 0-1; null for other runs.' }),
  entityMacroF1: nullableNumber.openapi({ description: 'Slot filling: span-level macro F1 over slot types, 0-1.' }),
  intentMicroF1: nullableNumber.openapi({ description: 'NLU++ multi-label intents (slots tagger runs): micro F1 on the test folds at the threshold tuned on validation, 0-1; null for other runs.' }),
  exactMatch: nullableNumber.openapi({ description: 'Generation (generate runs): share of generated texts equal to the reference, 0-1; null for other runs.' }),
  bleu: nullableNumber.openapi({ description: 'Generation: corpus BLEU, 0-100 (sacreBLEU 13a).' }),
  rougeL: nullableNumber.openapi({ description: 'Generation: ROUGE-L F1, 0-1.' }),
  perplexity: nullableNumber.openapi({ description: 'Generation: perplexity of the reference texts given the prompts.' }),
  latencyPerTokenMs: nullableNumber.openapi({ description: 'Generation: median milliseconds per decoding step (one token per row of a batch).' }),
  tokensPerSecond: nullableNumber.openapi({ description: 'Generation: generated tokens per second.' }),
  relevanceScore: nullableNumber.openapi({ description: 'Banking rubric (docs/rubrics.md): response relevance of the reply policy on the test split, 0-10 (/10); null where it does not apply (see notApplicable).' }),
  securityScore: nullableNumber.openapi({ description: 'Banking rubric: red-team suite weighted pass rate × 10 (/10).' }),
  notApplicable: z.array(z.string()).openapi({ description: 'Figures of this row that do not apply to the method (e.g. accuracy for a slot tagger): not applicable, not unmeasured.' }),
  adapterBytes: nullableNumber,
  backend: z.string().nullable(),
  cost: RunCostSchema.nullable(),
  servingDollarsPerMillionQueries: nullableNumber,
}).openapi('ComparisonRow')

const MethodBestRowSchema = z.object({
  method: z.string(),
  configLabel: z.string(),
  selectedBy: z.literal('validationAccuracy'),
  runIds: z.array(z.string()),
  seeds: z.array(z.number().int()),
  validationAccuracy: SeedStatSchema.nullable(),
  accuracy: SeedStatSchema.nullable(),
  macroF1: SeedStatSchema.nullable(),
  latencyP50Ms: SeedStatSchema.nullable(),
  latencyP95Ms: SeedStatSchema.nullable(),
  throughputPerSecond: SeedStatSchema.nullable(),
  entityMicroF1: SeedStatSchema.nullable(),
  entityMacroF1: SeedStatSchema.nullable(),
  intentMicroF1: SeedStatSchema.nullable(),
  exactMatch: SeedStatSchema.nullable(),
  bleu: SeedStatSchema.nullable(),
  rougeL: SeedStatSchema.nullable(),
  perplexity: SeedStatSchema.nullable(),
  latencyPerTokenMs: SeedStatSchema.nullable(),
  tokensPerSecond: SeedStatSchema.nullable(),
  relevanceScore: SeedStatSchema.nullable(),
  securityScore: SeedStatSchema.nullable(),
  notApplicable: z.array(z.string()),
  trainSeconds: SeedStatSchema.nullable(),
  peakMemoryBytes: SeedStatSchema.nullable(),
  peakGpuMemoryBytes: SeedStatSchema.nullable(),
  peakTensorBytes: SeedStatSchema.nullable(),
  costDollars: SeedStatSchema.nullable(),
  trainableParameters: nullableNumber,
  parameterReduction: nullableNumber,
  memorySource: MemorySourceSchema.nullable(),
}).openapi('MethodBestRow')

export const ComparisonSchema = z.object({
  benchmarkId: z.string(),
  benchmarkName: z.string(),
  status: StatusSchema,
  generatedAt: z.string(),
  cost: z.object({ instanceType: z.string().nullable(), pricing: PricingSchema, assumptions: z.array(z.string()) }),
  runs: z.array(ComparisonRowSchema),
  methods: z.array(MethodBestRowSchema).openapi({ description: "Each method's best configuration by mean validation accuracy (never by test), with mean ± std over seeds." }),
}).openapi('Comparison')

const ConstraintNameSchema = z.enum(['minAccuracy', 'maxLatencyMs', 'maxGpuMemoryBytes', 'minParameterReduction', 'maxTrainingSeconds'])

const ConstraintVerdictSchema = z.object({
  method: z.string(),
  configLabel: z.string(),
  runIds: z.array(z.string()),
  meetsAll: z.boolean().openapi({ description: 'Every criterion that applies is met (not-applicable ones are left out).' }),
  checks: z.array(z.object({
    constraint: ConstraintNameSchema,
    threshold: z.number(),
    measured: nullableNumber,
    passed: z.boolean().nullable().openapi({ description: 'null when not measured (never counted as met) or not applicable: see state.' }),
    state: z.enum(['met', 'failed', 'unmeasured', 'not-applicable'])
      .openapi({ description: '`not-applicable`: the criterion does not apply to the method (e.g. the parameter reduction of a baseline), neither met nor failed.' }),
    detail: z.string().openapi({ example: 'test accuracy 90.5% ≥ 88.0%' }),
  })),
}).openapi('ConstraintVerdict')

const RecommendationCandidateSchema = z.object({
  method: z.string(),
  configLabel: z.string(),
  runIds: z.array(z.string()),
  meetsAll: z.boolean(),
  criteriaMet: z.number().int().openapi({ description: 'Criteria met or not applicable.' }),
  missedCriteria: z.array(ConstraintNameSchema).openapi({ description: 'Failed or unmeasured.' }),
  misses: z.array(z.string()),
  servable: z.boolean().openapi({ description: 'Whether its runs can be deployed: engine runs and every baseline that saves a classifier (all but llm-api).' }),
  validationAccuracy: nullableNumber,
  latencyP50Ms: nullableNumber,
}).openapi('RecommendationCandidate')

const ParetoFrontSchema = z.object({
  x: z.enum(['peakMemoryBytes', 'trainSeconds', 'trainableParameters']),
  y: z.literal('accuracy'),
  points: z.array(z.object({ runId: z.string(), method: z.string(), configLabel: z.string(), x: z.number(), y: z.number() })),
}).openapi('ParetoFront')

const StudyAnswerSchema = z.object({
  question: z.string(),
  answer: z.string(),
  enoughData: z.boolean(),
  data: JsonObject,
}).openapi('StudyAnswer')

export const RecommendationSchema = z.object({
  benchmarkId: z.string(),
  constraints: z.record(ConstraintNameSchema, z.number()).openapi({ description: "The benchmark's success criteria (the study's defaults where it set none)." }),
  runs: z.array(ConstraintVerdictSchema),
  methods: z.array(ConstraintVerdictSchema),
  paretoFronts: z.object({ accuracyVsMemory: ParetoFrontSchema, accuracyVsTime: ParetoFrontSchema, accuracyVsParameters: ParetoFrontSchema }),
  best: z.object({
    method: z.string(), configLabel: z.string(), runIds: z.array(z.string()), reasons: z.array(z.string()),
    meetsAll: z.boolean(), missedCriteria: z.array(ConstraintNameSchema), misses: z.array(z.string()), servable: z.boolean(),
  }).nullable().openapi({ description: 'The best candidate by `rule`: one that meets every criterion when any does, else the closest (missedCriteria). Null only when no run succeeded.' }),
  noneReasons: z.array(z.string()).openapi({ description: 'Why no method meets every criterion; empty when one does.' }),
  rule: z.string().openapi({ description: 'How candidates are ranked.' }),
  candidates: z.array(RecommendationCandidateSchema).openapi({ description: 'Every candidate method (pretraining excluded), best first.' }),
  questions: z.object({ optimalLoraRank: StudyAnswerSchema, qloraWorthIt: StudyAnswerSchema, bestOverall: StudyAnswerSchema }),
}).openapi('Recommendation')

// The schemas above describe the core types exactly: a change to either fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const comparisonMatches: Same<z.infer<typeof ComparisonSchema>, Comparison> = true
const recommendationMatches: Same<z.infer<typeof RecommendationSchema>, Recommendation> = true
void comparisonMatches
void recommendationMatches
