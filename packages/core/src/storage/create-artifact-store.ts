import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setting, type Environment } from '@bankbench/settings'
import { JOB_ENV } from '../jobs/job-queue'
import type { ArtifactStore } from './artifact-store'
import { FsArtifactStore } from './fs-artifact-store'
import { S3ArtifactStore } from './s3-artifact-store'
import type { S3ArtifactStoreOptions } from './s3-artifact-store'

export interface CreateArtifactStoreOptions {
  /** Folder that relative paths are resolved against; default `process.cwd()`. */
  cwd?: string
  /** Where BANKBENCH_S3_ENDPOINT is read from; default `process.env`. */
  env?: Environment
  /** Settings for an `s3://` URI beyond bucket and prefix (endpoint, credentials, part size, …). */
  s3?: Omit<S3ArtifactStoreOptions, 'bucket' | 'prefix'>
}

export class UnsupportedArtifactStoreUriError extends Error {
  constructor(readonly uri: string, reason: string) {
    super(`cannot open artifact store ${JSON.stringify(uri)}: ${reason}. ` +
      'Use file:///absolute/path, a local path such as .bankbench/artifacts, or s3://bucket/prefix.')
    this.name = 'UnsupportedArtifactStoreUriError'
  }
}

/**
 * Opens the store a URI names, the form that travels in BANKBENCH_ARTIFACTS:
 * `file:///abs/path` or a plain path (absolute, or relative to `cwd`) → FsArtifactStore;
 * `s3://bucket/prefix` → S3ArtifactStore, talking to `options.s3.endpoint` or
 * BANKBENCH_S3_ENDPOINT when set (path-style, as local S3 servers need), else to AWS.
 */
export function createArtifactStore(uri: string, options: CreateArtifactStoreOptions = {}): ArtifactStore {
  if (uri.trim() === '') throw new UnsupportedArtifactStoreUriError(uri, 'it is empty')
  // Two or more letters before ':' so that a Windows drive (C:\…) reads as a path.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase()
  if (scheme === undefined) return new FsArtifactStore(isAbsolute(uri) ? uri : resolve(options.cwd ?? process.cwd(), uri))
  if (scheme === 'file') return new FsArtifactStore(filePath(uri))
  if (scheme === 's3') return s3Store(uri, options)
  throw new UnsupportedArtifactStoreUriError(uri, `the scheme "${scheme}:" is not supported`)
}

function filePath(uri: string): string {
  try {
    return fileURLToPath(uri)
  } catch (error) {
    throw new UnsupportedArtifactStoreUriError(uri, `it is not a valid absolute file URL (${(error as Error).message})`)
  }
}

function s3Store(uri: string, options: CreateArtifactStoreOptions): S3ArtifactStore {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri)
  const bucket = match?.[1]
  if (bucket === undefined) throw new UnsupportedArtifactStoreUriError(uri, 'it names no bucket')
  const endpoint = options.s3?.endpoint ?? setting(JOB_ENV.s3Endpoint, options.env)
  return new S3ArtifactStore({
    ...options.s3,
    bucket,
    prefix: match?.[2] ?? '',
    endpoint,
    forcePathStyle: options.s3?.forcePathStyle ?? endpoint !== undefined,
  })
}
