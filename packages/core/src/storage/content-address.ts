import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/**
 * Content addressing: an artifact whose key is derived from its bytes is written
 * once and never changes, so datasets and base models uploaded twice are stored
 * once, and a job can trust that `datasets/sha256-<hex>` holds exactly those bytes.
 */

export type ContentNamespace = 'datasets' | 'models'

/** Lower-case hex sha256 of the bytes (a string is hashed as its UTF-8 bytes). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Streams a file through sha256 without loading it into memory. */
export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk)
    bytes += chunk.length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/**
 * The key prefix under which content-addressed artifacts live, e.g.
 * `contentKey('datasets', sha)` → `datasets/sha256-<hex>`; files of that artifact go
 * below it (`datasets/sha256-<hex>/train.jsonl`).
 */
export function contentKey(namespace: ContentNamespace, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new Error(`contentKey expects a lower-case hex sha256 (64 characters), got ${JSON.stringify(sha256)}`)
  }
  return `${namespace}/sha256-${sha256}`
}
