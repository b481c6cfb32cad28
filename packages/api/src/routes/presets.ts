import { benchmarkSpecSchema, planRuns, PRESET_NAMES, PRESETS, withPresetProtocol } from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv } from '../env'
import { JsonObject } from '../schemas/common'

const PresetSchema = z.object({
  name: z.enum(PRESET_NAMES).openapi({ example: 'seed-grid-small' }),
  description: z.string(),
  runCount: z.number().int().openapi({ description: 'Runs the preset plans with its own protocol (one seed unless the request names more).' }),
  runsByMethod: z.record(z.string(), z.number().int()).openapi({ example: { lora: 2, qlora: 1, full: 1 } }),
  protocol: JsonObject.openapi({ description: 'The protocol fields the preset sets; a request\'s own protocol fields win.' }),
  arms: z.array(JsonObject).openapi({ description: 'The arms the preset stands for.' }),
  baseModel: z.string().nullable().openapi({
    description: 'The base model the preset trains on, filled in when the request names none (`hf://…` presets are meant for GPU jobs); null: the shipped bankbench-mini.',
    example: 'hf://google-bert/bert-base-uncased',
  }),
}).openapi('Preset')

const listRoute = createRoute({
  method: 'get',
  path: '/presets',
  operationId: 'listPresets',
  tags: ['benchmarks'],
  summary: 'List the benchmark presets',
  description: 'Named plans a benchmark may give as `preset` (or as an arm `{ "preset": … }`) instead of writing its arms out; '
    + 'add `subsample: { maxRunsPerMethod, seed }` to run a seeded part of a large grid.',
  responses: {
    200: { description: 'The presets', content: { 'application/json': { schema: z.object({ items: z.array(PresetSchema) }).openapi('PresetList') } } },
  },
})

/** Presets are code, not data: describe them once, when the routes are built. */
function describePresets(): z.infer<typeof PresetSchema>[] {
  return PRESET_NAMES.map((name) => {
    const runs = planRuns(benchmarkSpecSchema.parse(withPresetProtocol({ preset: name })))
    const runsByMethod: Record<string, number> = {}
    for (const run of runs) runsByMethod[run.method] = (runsByMethod[run.method] ?? 0) + 1
    const preset = PRESETS[name]
    return { name, description: preset.description, runCount: runs.length, runsByMethod, protocol: preset.protocol ?? {}, arms: preset.arms, baseModel: preset.baseModel ?? null }
  })
}

export function presetRoutes() {
  const presets = describePresets()
  return new OpenAPIHono<ApiEnv>()
    .openapi(listRoute, (c) => c.json({ items: presets }, 200))
}
