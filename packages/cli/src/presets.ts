/**
 * `bankbench run --preset NAME` runs a preset of the server it talks to: the presets
 * are one list, in packages/core (`PRESETS`), served by `GET /v1/presets`. The CLI
 * reads that list, so a name the server does not have is a usage error that lists the
 * ones it has, and submits `{ "preset": NAME }`.
 */
import type { Schemas } from '@bankbench/client'
import { UsageError } from './args'
import type { CliClient } from './client'

/** A preset as `GET /v1/presets` lists it. */
export type ServedPreset = Schemas['Preset']

/** The server's presets. */
export async function listPresets(client: CliClient): Promise<ServedPreset[]> {
  return (await client.api.GET('/v1/presets')).data.items
}

/** The request body for a preset the server lists, with what the server says of it. */
export async function presetBody(client: CliClient, name: string): Promise<{ body: { preset: ServedPreset['name'] }; preset: ServedPreset }> {
  const presets = await listPresets(client)
  const preset = presets.find((candidate) => candidate.name === name)
  if (!preset) throw new UsageError(`the ${client.describe} has no preset '${name}'; its presets (GET /v1/presets): ${presets.map((candidate) => candidate.name).join(', ')}`)
  return { body: { preset: preset.name }, preset }
}
