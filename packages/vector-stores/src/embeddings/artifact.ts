import { createHash } from 'node:crypto'
import type { VectorRecord } from '../types'

/** The splits an embedding set covers, in this order; a record's id is `<split>/<row>`. */
export const EMBEDDED_SPLITS = ['train', 'validation', 'test'] as const
export type EmbeddedSplit = (typeof EMBEDDED_SPLITS)[number]

/**
 * A dataset's texts encoded once by one encoder: what every store indexes and every
 * query set reads, so stores are compared on the same vectors.
 */
export interface EmbeddingSet {
  /** The encoder's id (`base:bankbench-mini@<digest>`, `tfidf-svd:256:seed0`, `run:<id>`): part of the artifact key. */
  encoder: string
  /** What the encoder is, for people: the model it pools, or the classical pipeline. */
  model: string
  dimension: number
  datasetHash: string
  /** Rows per split, in EMBEDDED_SPLITS order; vectors are concatenated in the same order. */
  counts: Record<EmbeddedSplit, number>
  labels: string[]
  /** Row-major, (sum of counts) x dimension. */
  vectors: Float32Array
  /** Seconds the encoding took (fitting included, for encoders that fit). */
  encodeSeconds: number
}

/** Where a set lives in the artifact store: by dataset content and encoder, so it is computed once. */
export function embeddingKey(datasetHash: string, encoder: string): string {
  return `embeddings/${datasetHash}/${encoder.replace(/[^A-Za-z0-9@._-]+/g, '_')}.emb`
}

/** The rows of one split: ids, labels and vectors (views, no copy). */
export function splitOf(set: EmbeddingSet, split: EmbeddedSplit): { ids: string[]; labels: string[]; vectors: Float32Array; count: number } {
  let start = 0
  for (const earlier of EMBEDDED_SPLITS) {
    if (earlier === split) break
    start += set.counts[earlier]
  }
  const count = set.counts[split]
  return {
    ids: Array.from({ length: count }, (_, row) => `${split}/${row}`),
    labels: set.labels.slice(start, start + count),
    vectors: set.vectors.subarray(start * set.dimension, (start + count) * set.dimension),
    count,
  }
}

/** The labelled records of some splits, in order (ids `<split>/<row>`, vectors as views): what a store indexes. */
export function recordsOf(set: EmbeddingSet, splits: readonly EmbeddedSplit[]): VectorRecord[] {
  return splits.flatMap((split) => {
    const part = splitOf(set, split)
    return part.ids.map((id, i) => ({ id, label: part.labels[i]!, vector: row(part.vectors, set.dimension, i) }))
  })
}

/** The i-th vector of a row-major block. */
export function row(vectors: Float32Array, dimension: number, index: number): Float32Array {
  return vectors.subarray(index * dimension, (index + 1) * dimension)
}

interface Header {
  format: 'bankbench-embeddings/1'
  encoder: string
  model: string
  dimension: number
  datasetHash: string
  counts: Record<EmbeddedSplit, number>
  labels: string[]
  encodeSeconds: number
  /** sha256 of the vector bytes: the file is refused if they changed. */
  sha256: string
}

/**
 * The file: an 8-byte little-endian header length, the JSON header, then the vectors as
 * little-endian float32 (safetensors' layout, one tensor). Readable without us.
 */
export function serializeEmbeddings(set: EmbeddingSet): Uint8Array {
  const total = Object.values(set.counts).reduce((sum, count) => sum + count, 0)
  if (set.vectors.length !== total * set.dimension) throw new Error(`embedding set of ${total} rows x ${set.dimension} has ${set.vectors.length} values`)
  if (set.labels.length !== total) throw new Error(`embedding set of ${total} rows has ${set.labels.length} labels`)
  const body = new Uint8Array(set.vectors.buffer, set.vectors.byteOffset, set.vectors.byteLength)
  const header: Header = {
    format: 'bankbench-embeddings/1', encoder: set.encoder, model: set.model, dimension: set.dimension, datasetHash: set.datasetHash,
    counts: set.counts, labels: set.labels, encodeSeconds: set.encodeSeconds, sha256: createHash('sha256').update(body).digest('hex'),
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(8 + json.length + body.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(json, 8)
  out.set(body, 8 + json.length)
  return out
}

export function parseEmbeddings(bytes: Uint8Array): EmbeddingSet & { sha256: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = Number(view.getBigUint64(0, true))
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Header
  if (header.format !== 'bankbench-embeddings/1') throw new Error(`not an embedding set (format ${JSON.stringify(header.format)})`)
  const body = bytes.slice(8 + length)
  const sha256 = createHash('sha256').update(body).digest('hex')
  if (sha256 !== header.sha256) throw new Error(`embedding set ${header.encoder}: its vectors hash to ${sha256}, the header records ${header.sha256}`)
  const vectors = new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4)
  const { format: _format, ...rest } = header
  return { ...rest, vectors }
}
