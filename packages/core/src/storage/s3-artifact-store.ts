import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException, paginateListObjectsV2,
} from '@aws-sdk/client-s3'
import type { S3ClientConfig } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { ArtifactNotFoundError } from './artifact-store'
import type { ArtifactInfo, ArtifactStore } from './artifact-store'
import { validateKey, validatePrefix } from './artifact-key'
import { sha256Hex, sha256OfFile } from './content-address'
import { writeFileDurably } from './durable-file'

const MiB = 1024 * 1024

export interface S3ArtifactStoreOptions {
  bucket: string
  /** Folder inside the bucket that holds this store's keys, e.g. `stages/dev`; none by default. */
  prefix?: string
  /** Defaults to the SDK's own resolution (AWS_REGION, profile); `us-east-1` when an endpoint is given. */
  region?: string
  /** An S3-compatible server such as s3rver; leave unset for AWS. */
  endpoint?: string
  /** Address buckets as `<endpoint>/<bucket>` instead of `<bucket>.<endpoint>`; needed by most local servers. */
  forcePathStyle?: boolean
  /** Defaults to the SDK's credential chain (environment, profile, task role). */
  credentials?: S3ClientConfig['credentials']
  /** A ready client; when given, region, endpoint, forcePathStyle and credentials are ignored. */
  client?: S3Client
  /**
   * Bodies larger than this many bytes are sent as a multipart upload in parts of
   * this size; smaller ones in a single PutObject. S3 accepts parts of 5 MiB or more.
   * Memory held per upload is at most 4 parts. Default 8 MiB.
   */
  partSizeBytes?: number
}

/** The object metadata entry (`x-amz-meta-sha256`) holding the client-computed hash. */
const SHA256_METADATA = 'sha256'

/**
 * Artifacts as objects in an S3 bucket (the AWS default): the key
 * `runs/7/adapter/adapter_config.json` is the object `<prefix>/runs/7/adapter/adapter_config.json`.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly uri: string
  readonly bucket: string
  /** Normalised: no leading or trailing `/`; empty for the bucket root. */
  readonly prefix: string
  private readonly client: S3Client
  private readonly partSizeBytes: number
  /** What precedes every key in the bucket: `<prefix>/`, or nothing at the bucket root. */
  private readonly keyPrefix: string

  constructor(options: S3ArtifactStoreOptions) {
    this.bucket = options.bucket
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '')
    validatePrefix(this.prefix)
    this.keyPrefix = this.prefix ? `${this.prefix}/` : ''
    this.uri = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`
    this.partSizeBytes = options.partSizeBytes ?? 8 * MiB
    this.client = options.client ?? new S3Client({
      region: options.region ?? (options.endpoint ? 'us-east-1' : undefined),
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
    })
  }

  async put(key: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<ArtifactInfo> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    const sha256 = sha256Hex(bytes)
    await this.upload(key, bytes, sha256, options?.contentType)
    return { key, bytes: bytes.byteLength, sha256 }
  }

  async putFile(key: string, path: string, options?: { contentType?: string }): Promise<ArtifactInfo> {
    validateKey(key)
    // The hash goes into the object's metadata, which S3 fixes when the upload
    // starts, so the file is read twice (streamed both times) rather than held in memory.
    const { sha256, bytes } = await sha256OfFile(path)
    await this.upload(key, createReadStream(path), sha256, options?.contentType)
    return { key, bytes, sha256 }
  }

  async get(key: string): Promise<Uint8Array> {
    const body = await this.getBody(key)
    return body.transformToByteArray()
  }

  async getFile(key: string, path: string): Promise<void> {
    const body = await this.getBody(key)
    if (!(body instanceof Readable)) throw new Error(`S3 returned a ${body.constructor.name} body for ${key}; expected a Node stream`)
    await writeFileDurably(path, body)
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
      return true
    } catch (error) {
      // HEAD responses have no body, so the SDK only knows the status: 404 → NotFound.
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false
      throw error
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix)
    const keys: string[] = []
    const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: this.keyPrefix + prefix })
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) keys.push(object.Key.slice(this.keyPrefix.length))
      }
    }
    // S3 orders by UTF-8 bytes; sort again so that both stores agree on non-ASCII keys.
    return keys.sort()
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
  }

  /** PutObject for one part's worth or less, multipart above (lib-storage decides from the first part). */
  private async upload(key: string, body: Uint8Array | Readable, sha256: string, contentType: string | undefined): Promise<void> {
    const upload = new Upload({
      client: this.client,
      partSize: this.partSizeBytes,
      params: {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentType: contentType,
        Metadata: { [SHA256_METADATA]: sha256 },
      },
    })
    await upload.done()
  }

  private async getBody(key: string) {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
      if (!response.Body) throw new Error(`S3 returned no body for ${key}`)
      return response.Body
    } catch (error) {
      if (error instanceof S3ServiceException && error.name === 'NoSuchKey') throw new ArtifactNotFoundError(key)
      throw error
    }
  }

  private objectKey(key: string): string {
    validateKey(key)
    return this.keyPrefix + key
  }
}
