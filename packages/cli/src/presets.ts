/**
 * `bankbench run --preset NAME` runs a preset of the server it talks to: the presets
 * are one list, in packages/core (`PRESETS`), served by `GET /v1/presets`. The CLI
 * reads that list, so a name the server does not have is a usage error that lists the
 * ones it has, and submits `{ "preset": NAME }`.
 */
import { UsageError } from './args'
import type { ApiClient } from './client'

/** A preset as `GET /v1/presets` lists it (the fields the CLI reads). */
export interface ServedPreset {
  name: string
  description: string
  runCount: number
}

/** The server's presets. */
export async function listPresets(client: ApiClient): Promise<ServedPreset[]> {
  return (await client.getJson<{ items: ServedPreset[] }>('/v1/presets')).items
}

/** The request body for a preset the server lists, with what the server says of it. */
export async function presetBody(client: ApiClient, name: string): Promise<{ body: { preset: string }; preset: ServedPreset }> {
  const presets = await listPresets(client)
  const preset = presets.find((candidate) => candidate.name === name)
  if (!preset) throw new UsageError(`the ${client.describe} has no preset '${name}'; its presets (GET /v1/presets): ${presets.map((candidate) => candidate.name).join(', ')}`)
  return { body: { preset: name }, preset }
}
