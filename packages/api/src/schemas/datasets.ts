import type { DatasetRow } from '@bankbench/core'
import { z } from '@hono/zod-openapi'
import { Timestamp, toIso } from './common'

const SplitCounts = z.object({
  train: z.number().int(),
  validation: z.number().int(),
  test: z.number().int(),
  outOfScope: z.object({ validation: z.number().int(), test: z.number().int() }).optional().openapi({
    description: 'Rows labelled out_of_scope, when the dataset has some: not a class (not in train, validation, test or labels); '
      + 'the validation ones calibrate a deployment\'s out-of-scope threshold (with a split column, those marked train calibrate too), '
      + 'the test ones measure its out-of-scope recall.',
  }),
  replies: z.boolean().optional().openapi({
    description: 'true when the upload has a reply column: every in-scope row carries the bank\'s reply, the target of generate arms with target \'reply\'.',
  }),
}).openapi('SplitCounts', { description: 'Rows per split (in-scope).' })

export const DatasetSummarySchema = z.object({
  id: z.string().openapi({ example: 'banking77' }),
  name: z.string(),
  source: z.enum(['builtin', 'upload']),
  contentHash: z.string().openapi({ description: 'sha256 of the stored splits: the same content is stored once.' }),
  labelCount: z.number().int(),
  splits: SplitCounts,
  createdAt: Timestamp,
}).openapi('DatasetSummary')

export const DatasetSchema = DatasetSummarySchema.extend({
  labels: z.array(z.string()).openapi({ description: 'The intent labels, sorted.' }),
}).openapi('Dataset')

export function toDatasetSummary(row: DatasetRow): z.infer<typeof DatasetSummarySchema> {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    contentHash: row.contentHash,
    labelCount: row.labels.length,
    splits: row.splits,
    createdAt: toIso(row.createdAt),
  }
}

export function toDataset(row: DatasetRow): z.infer<typeof DatasetSchema> {
  return { ...toDatasetSummary(row), labels: row.labels }
}
