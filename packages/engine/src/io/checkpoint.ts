/**
 * Checkpoints in the Hugging Face layout, so that a model saved by
 * `save_pretrained` loads here and one saved here loads in `from_pretrained`:
 *
 *   config.json                       model configuration
 *   model.safetensors                 all weights, or, when sharded:
 *   model.safetensors.index.json      { metadata: { total_size }, weight_map: { name: shard file } }
 *   model-00001-of-00002.safetensors  ...
 *   tokenizer.json                    optional
 *   tokenizer_config.json             optional (special-token names)
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openCheckpointSource } from './checkpoint-source'
import type { CheckpointSourceOptions } from './checkpoint-source'
import { readSafetensors, writeSafetensors } from './safetensors'
import type { NamedTensor } from './safetensors'

export interface Checkpoint {
  config: Record<string, unknown>
  weights: Map<string, NamedTensor>
  /** Parsed tokenizer.json, null when the checkpoint has none. */
  tokenizer: object | null
  /** Parsed tokenizer_config.json, null when the checkpoint has none. */
  tokenizerConfig?: Record<string, unknown> | null
}

export type LoadCheckpointOptions = CheckpointSourceOptions

export const CHECKPOINT_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  weightIndex: 'model.safetensors.index.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
} as const

interface WeightIndex {
  metadata?: { total_size?: number }
  weight_map: Record<string, string>
}

/**
 * Loads a checkpoint from a folder path, `file://…`, `s3://…` (needs
 * `options.fetchFile`) or `hf://org/name[@revision]`.
 */
export async function loadCheckpoint(source: string, options: LoadCheckpointOptions = {}): Promise<Checkpoint> {
  const files = openCheckpointSource(source, options)
  const readJson = async (fileName: string): Promise<Record<string, unknown> | null> => {
    const bytes = await files.read(fileName)
    if (!bytes) return null
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    } catch (error) {
      throw new Error(`${files.description}: ${fileName} is not valid JSON (${(error as Error).message})`)
    }
  }
  const config = await readJson(CHECKPOINT_FILES.config)
  if (!config) throw new Error(`${files.description}: no ${CHECKPOINT_FILES.config}; is this a Hugging Face checkpoint folder?`)

  const weights = new Map<string, NamedTensor>()
  const single = await files.read(CHECKPOINT_FILES.weights)
  if (single) {
    addTensors(weights, readSafetensors(single).tensors, CHECKPOINT_FILES.weights)
  } else {
    const index = (await readJson(CHECKPOINT_FILES.weightIndex)) as WeightIndex | null
    if (!index?.weight_map) {
      throw new Error(`${files.description}: neither ${CHECKPOINT_FILES.weights} nor ${CHECKPOINT_FILES.weightIndex} found ` +
        '(PyTorch .bin checkpoints are not read: convert them to safetensors)')
    }
    for (const shard of new Set(Object.values(index.weight_map))) {
      const bytes = await files.read(shard)
      if (!bytes) throw new Error(`${files.description}: shard ${shard}, listed in ${CHECKPOINT_FILES.weightIndex}, is missing`)
      addTensors(weights, readSafetensors(bytes).tensors, shard)
    }
    const missing = Object.keys(index.weight_map).filter((name) => !weights.has(name))
    if (missing.length > 0) throw new Error(`${files.description}: tensors listed in the index but absent from their shards: ${missing.slice(0, 5).join(', ')}`)
  }

  return {
    config,
    weights,
    tokenizer: await readJson(CHECKPOINT_FILES.tokenizer),
    tokenizerConfig: await readJson(CHECKPOINT_FILES.tokenizerConfig),
  }
}

function addTensors(into: Map<string, NamedTensor>, tensors: Map<string, NamedTensor>, fileName: string): void {
  for (const [name, tensor] of tensors) {
    if (into.has(name)) throw new Error(`tensor ${name} appears twice (again in ${fileName})`)
    into.set(name, tensor)
  }
}

export interface SaveCheckpointOptions {
  /**
   * Largest weights file before splitting into shards with an index. Default 2 GiB:
   * one safetensors file is built in a single buffer, and Node's buffers and file
   * writes are limited to about that size.
   */
  maxShardBytes?: number
}

/** Writes a checkpoint folder (path or `file://`) in the Hugging Face layout; returns the file names written. */
export async function saveCheckpoint(directory: string, checkpoint: Checkpoint, options: SaveCheckpointOptions = {}): Promise<string[]> {
  const folder = directory.startsWith('file://') ? fileURLToPath(directory) : directory
  await mkdir(folder, { recursive: true })
  const files = new Map<string, Uint8Array | string>()
  files.set(CHECKPOINT_FILES.config, prettyJson(checkpoint.config))

  const shards = splitIntoShards(checkpoint.weights, options.maxShardBytes ?? 2 ** 31)
  // transformers refuses safetensors files without a format tag.
  const metadata = { format: 'pt' }
  if (shards.length === 1) {
    files.set(CHECKPOINT_FILES.weights, writeSafetensors(shards[0]!, metadata))
  } else {
    const index: WeightIndex = { metadata: { total_size: totalBytes(checkpoint.weights.values()) }, weight_map: {} }
    shards.forEach((shard, i) => {
      const fileName = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`
      files.set(fileName, writeSafetensors(shard, metadata))
      for (const name of [...shard.keys()].sort()) index.weight_map[name] = fileName
    })
    files.set(CHECKPOINT_FILES.weightIndex, prettyJson(index))
  }
  if (checkpoint.tokenizer) files.set(CHECKPOINT_FILES.tokenizer, JSON.stringify(checkpoint.tokenizer))
  if (checkpoint.tokenizerConfig) files.set(CHECKPOINT_FILES.tokenizerConfig, prettyJson(checkpoint.tokenizerConfig))

  for (const [fileName, content] of files) await writeFile(join(folder, fileName), content)
  return [...files.keys()]
}

/** Greedy, in name order, so the same weights always give the same shards. */
function splitIntoShards(weights: Map<string, NamedTensor>, maxShardBytes: number): Map<string, NamedTensor>[] {
  const shards: Map<string, NamedTensor>[] = [new Map()]
  let shardBytes = 0
  for (const name of [...weights.keys()].sort()) {
    const tensor = weights.get(name)!
    if (shardBytes > 0 && shardBytes + tensor.bytes.byteLength > maxShardBytes) {
      shards.push(new Map())
      shardBytes = 0
    }
    shards.at(-1)!.set(name, tensor)
    shardBytes += tensor.bytes.byteLength
  }
  return shards
}

function totalBytes(tensors: Iterable<NamedTensor>): number {
  let total = 0
  for (const tensor of tensors) total += tensor.bytes.byteLength
  return total
}

function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
