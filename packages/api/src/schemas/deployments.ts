import { strictObject, type DeploymentRow } from '@bankbench/core'
import { z } from '@hono/zod-openapi'
import { JsonObject, Timestamp, toIso } from './common'

export const StageSchema = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
  .openapi({ description: 'A serving stage (`prod`, `staging`, …).', example: 'prod' })

export const StageParams = z.object({ stage: StageSchema.openapi({ param: { name: 'stage', in: 'path' } }) })

export const DeploymentSettingsSchema = strictObject({
  outOfScopeThreshold: z.number().min(0).max(1).optional()
    .openapi({ description: 'Messages whose top probability is below this are flagged out of scope. Default: calibrated on the validation split.' }),
  topK: z.number().int().min(1).max(20).optional().openapi({ description: 'Intents returned per message, most probable first. Default 3.' }),
  targetFalseRejectRate: z.number().min(0).max(0.5).optional()
    .openapi({ description: 'The calibration keeps the share of validation messages it wrongly rejects at or below this: in-scope messages when the dataset marks out-of-scope ones (label out_of_scope), else correctly classified ones. Default 0.05.' }),
}).openapi('DeploymentSettings')

const CalibrationBasisSchema = z.enum(['out-of-scope-examples', 'misclassified-examples']).openapi({
  description: '`out-of-scope-examples`: the dataset marks out-of-scope messages (label out_of_scope), which are the ones to reject and every in-scope message one to accept; '
    + '`misclassified-examples`: it marks none, so misclassified messages stand in for the ones to reject and correctly classified ones for those to accept.',
})

export const OutOfScopeEvaluationSchema = z.object({
  split: z.literal('test'),
  threshold: z.number().openapi({ description: 'The threshold served (calibrated, or set in settings).' }),
  basis: CalibrationBasisSchema,
  targetFalseRejectRate: z.number(),
  falseRejectRate: z.number().openapi({ description: 'Measured share of the messages to accept that the threshold flags out of scope.' }),
  inScopeExamples: z.number().int().openapi({ description: 'In-scope test messages measured (a seeded sample of 1,000 when the split has more).' }),
  outOfScopeRecall: z.number().nullable().openapi({ description: 'Measured share of the out-of-scope test messages flagged out of scope; null when the dataset marks none.' }),
  outOfScopeExamples: z.number().int(),
  falseAcceptRate: z.number().nullable().openapi({ description: 'Measured share of the messages to reject that were accepted; null when there are none.' }),
}).openapi('OutOfScopeEvaluation', { description: "The deployment's out-of-scope threshold measured on the test split, which the calibration never saw." })

export const DeploymentSchema = z.object({
  id: z.string().openapi({ example: 'dep_3f9c2a71d04e4b6a9c1e' }),
  stage: z.string(),
  runId: z.string(),
  modelVersion: z.string().openapi({ description: 'The run id and the sha256 of its adapter (or model) weights.', example: 'run_8d1e0c9b2f7a4e5d8c3b@sha256:9f2c…' }),
  settings: z.object({ outOfScopeThreshold: z.number(), topK: z.number().int(), targetFalseRejectRate: z.number() }),
  calibration: JsonObject.openapi({
    description: 'On the validation split: threshold, basis, falseRejectRate, falseAcceptRate, outOfScopeRecall, curve (the trade-off at thresholds 0 to 1), assumption; test: the threshold measured on the test split (outOfScopeEvaluation).',
  }),
  outOfScopeEvaluation: z.union([OutOfScopeEvaluationSchema, z.null()]).openapi({ description: 'The out-of-scope threshold measured on the test split; null for a deployment made before deployments were measured.' }),
  smokeCheck: JsonObject.openapi({
    description: 'What was checked before the switch: texts, passed, loadMs, mergedLora, backend (what runs the model: onnxruntime, the tfjs backend, or in-process for a baseline).',
  }),
  status: z.enum(['active', 'superseded', 'rolled-back']),
  previousDeploymentId: z.string().nullable(),
  createdAt: Timestamp,
}).openapi('Deployment')

/** What POST /v1/deployments with `recommended: true` served, and which success criteria it misses. */
export const DeployedRecommendationSchema = z.object({
  benchmarkId: z.string(),
  method: z.string(),
  configLabel: z.string(),
  meetsAll: z.boolean().openapi({ description: 'Whether it meets every success criterion that applies to it.' }),
  missedCriteria: z.array(z.enum(['minAccuracy', 'maxLatencyMs', 'maxGpuMemoryBytes', 'minParameterReduction', 'maxTrainingSeconds'])),
  misses: z.array(z.string()).openapi({ description: 'Each missed criterion in words.' }),
  isBest: z.boolean().openapi({ description: "false when the recommendation's best candidate cannot be served (llm-api, which saves no classifier) and this is the best-ranked one that can." }),
  rule: z.string().openapi({ description: 'How the recommendation ranks candidates.' }),
}).openapi('DeployedRecommendation')

export const DeployResponseSchema = DeploymentSchema.extend({
  recommendation: DeployedRecommendationSchema.optional()
    .openapi({ description: 'With `recommended: true`: the recommended run deployed, and the criteria it misses (a run is deployed even when none meets every criterion).' }),
}).openapi('DeployResponse')

export const modelVersionOf = (row: Pick<DeploymentRow, 'runId' | 'modelSha256'>) => `${row.runId}@sha256:${row.modelSha256}`

export function toDeployment(row: DeploymentRow): z.infer<typeof DeploymentSchema> {
  return {
    id: row.id,
    stage: row.stage,
    runId: row.runId,
    modelVersion: modelVersionOf(row),
    settings: row.settings,
    calibration: row.calibration,
    outOfScopeEvaluation: outOfScopeEvaluationOf(row),
    smokeCheck: row.smokeCheck,
    status: row.status,
    previousDeploymentId: row.previousDeploymentId,
    createdAt: toIso(row.createdAt),
  }
}

/** The test measurement a deployment recorded with its calibration (absent on older deployments). */
function outOfScopeEvaluationOf(row: DeploymentRow): z.infer<typeof OutOfScopeEvaluationSchema> | null {
  const test = row.calibration.test as Omit<z.infer<typeof OutOfScopeEvaluationSchema>, 'targetFalseRejectRate'> | undefined
  if (!test) return null
  const { split, threshold, basis, falseRejectRate, inScopeExamples, outOfScopeRecall, outOfScopeExamples, falseAcceptRate } = test
  return { split, threshold, basis, targetFalseRejectRate: row.settings.targetFalseRejectRate, falseRejectRate, inScopeExamples, outOfScopeRecall, outOfScopeExamples, falseAcceptRate }
}
