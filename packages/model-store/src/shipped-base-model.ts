/**
 * The base model the project ships (models/bankbench-mini/, made by `npm run
 * build:base-model`), and how it reaches an artifact store: content-addressed, so that a
 * run records exactly which weights it trained on and a deployment keeps loading them
 * whatever is shipped or rebuilt later.
 *
 * A published copy lives at `models/base/<name>/<digest>/`, where `<digest>` is the
 * sha256 of its manifest.json, which lists the sha256 of every other file. Runs record
 * `<name>@<digest>` as their base model; loading it checks the manifest against the digest
 * and every file against the manifest, so a changed byte is refused, never served.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ArtifactStore } from '@bankbench/core'
import { setting } from '@bankbench/settings'
import { CHECKPOINT_FILES, loadCheckpoint, type Checkpoint } from '@bankbench/engine'
import { ArtifactIntegrityError, sha256Hex, verifySha256 } from './artifact-integrity'

/** The default base model of every train run and of the baselines that need one. */
export const SHIPPED_BASE_MODEL = 'bankbench-mini'
const SHIPPED_FILES = [CHECKPOINT_FILES.config, CHECKPOINT_FILES.weights, CHECKPOINT_FILES.tokenizer] as const
const MANIFEST = 'manifest.json'
const PINNED = /^([a-z0-9][a-z0-9-]*)@([0-9a-f]{64})$/

/** The folder the project ships its base models in: `models/` at the repository root, or BANKBENCH_MODELS_DIR (the job images). */
export function shippedModelsDirectory(): string {
  return setting('BANKBENCH_MODELS_DIR') ?? fileURLToPath(new URL('../../../models/', import.meta.url))
}

/** `bankbench-mini@<digest>` → its parts; null for any other source. */
export function parsePinnedBaseModel(source: string): { name: string; digest: string } | null {
  const match = PINNED.exec(source)
  return match ? { name: match[1]!, digest: match[2]! } : null
}

export function publishedBaseModelPrefix(name: string, digest: string): string {
  return `models/base/${name}/${digest}/`
}

interface ShippedModel {
  name: string
  digest: string
  manifest: Uint8Array
  files: Map<string, Uint8Array>
}

/** Reads a shipped model's files and computes its manifest and digest. */
async function readShipped(name: string, directory = shippedModelsDirectory()): Promise<ShippedModel> {
  const folder = join(directory, name)
  if (!existsSync(join(folder, CHECKPOINT_FILES.config))) {
    throw new Error(`The shipped base model ${name} is missing from ${folder}: a fresh clone has it (models/${name}/); ` +
      'rebuild it with `npm run build:base-model`, or set baseModel to another checkpoint.')
  }
  const files = new Map<string, Uint8Array>()
  for (const file of SHIPPED_FILES) files.set(file, new Uint8Array(await readFile(join(folder, file))))
  const manifest = new TextEncoder().encode(`${JSON.stringify({ name, files: Object.fromEntries([...files].map(([file, bytes]) => [file, sha256Hex(bytes)])) }, null, 2)}\n`)
  return { name, digest: sha256Hex(manifest), manifest, files }
}

/**
 * Copies the shipped model into the store under its digest unless it is there already
 * (manifest last: its presence means the copy is complete). Returns the pinned name.
 */
export async function publishShippedBaseModel(store: ArtifactStore, name = SHIPPED_BASE_MODEL, directory?: string): Promise<{ pinned: string; checkpoint: Checkpoint }> {
  const shipped = await readShipped(name, directory)
  const prefix = publishedBaseModelPrefix(name, shipped.digest)
  if (!(await store.exists(`${prefix}${MANIFEST}`))) {
    for (const [file, bytes] of shipped.files) await store.put(`${prefix}${file}`, bytes)
    await store.put(`${prefix}${MANIFEST}`, shipped.manifest)
  }
  const checkpoint = await loadCheckpoint(`shipped://${name}/`, { fetchFile: async (uri) => shipped.files.get(uri.slice(`shipped://${name}/`.length)) ?? null })
  return { pinned: `${name}@${shipped.digest}`, checkpoint }
}

/**
 * Loads `<name>@<digest>` from the store, every byte checked. When the store lacks it but
 * the shipped copy has that very digest (a fresh store), the shipped copy is published first.
 */
export async function loadPinnedBaseModel(store: ArtifactStore, name: string, digest: string, directory?: string): Promise<Checkpoint> {
  const prefix = publishedBaseModelPrefix(name, digest)
  if (!(await store.exists(`${prefix}${MANIFEST}`))) {
    const shipped = existsSync(join(directory ?? shippedModelsDirectory(), name, CHECKPOINT_FILES.config)) ? await readShipped(name, directory) : null
    if (shipped?.digest !== digest) {
      throw new Error(`Base model ${name}@${digest} is not in the artifact store (${store.uri}/${prefix}) and the shipped ${name} ` +
        `${shipped ? `is another version (${shipped.digest})` : 'is absent'}; the run that recorded it cannot be reloaded here.`)
    }
    await publishShippedBaseModel(store, name, directory)
  }
  const manifestBytes = verifySha256(`${prefix}${MANIFEST}`, await store.get(`${prefix}${MANIFEST}`), digest, `the manifest of base model ${name}`)
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as { files: Record<string, string> }
  return loadCheckpoint(`artifacts://${prefix}`, {
    fetchFile: async (uri) => {
      const file = uri.slice(`artifacts://${prefix}`.length)
      const expected = manifest.files[file]
      if (expected === undefined) return null
      const bytes = await store.get(`${prefix}${file}`)
      const actual = sha256Hex(bytes)
      if (actual !== expected) throw new ArtifactIntegrityError(`${prefix}${file}`, expected, actual, `${file} of base model ${name}@${digest}`)
      return bytes
    },
  })
}
