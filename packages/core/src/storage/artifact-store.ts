/**
 * Where datasets, checkpoints, adapters and reports live: files under
 * `.bankbench/artifacts` on a laptop, an S3 bucket on AWS. Keys are POSIX-style
 * relative paths (`datasets/sha256-…/train.jsonl`, `runs/<id>/adapter/adapter_model.safetensors`).
 */
export interface ArtifactStore {
  /** A URI naming the store's root, e.g. `file:///abs/path` or `s3://bucket/prefix`; children get it in BANKBENCH_ARTIFACTS. */
  readonly uri: string
  /** Writes the whole body; resolves only once the write is durable (fsync'd file, S3 200). */
  put(key: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<ArtifactInfo>
  /** Streams a local file into the store (multipart on S3 for large files). */
  putFile(key: string, path: string, options?: { contentType?: string }): Promise<ArtifactInfo>
  /** Throws ArtifactNotFoundError when the key does not exist. */
  get(key: string): Promise<Uint8Array>
  /** Copies the object to a local file (creating parent directories). */
  getFile(key: string, path: string): Promise<void>
  exists(key: string): Promise<boolean>
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>
  delete(key: string): Promise<void>
}

export interface ArtifactInfo {
  key: string
  bytes: number
  /** Hex sha256 of the body. */
  sha256: string
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`artifact not found: ${key}`)
    this.name = 'ArtifactNotFoundError'
  }
}
