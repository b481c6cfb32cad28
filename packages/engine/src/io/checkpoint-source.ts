/**
 * Where a checkpoint's files come from: a local folder, `file://`, `s3://` (through
 * a reader the caller injects: the engine knows nothing of AWS) or the Hugging
 * Face hub (`hf://org/name[@revision]`, only where the hub can be reached).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setting } from '@bankbench/settings'

/**
 * Reads one object by URI (`s3://bucket/key`). Resolve `null` (or reject with a
 * not-found error: ENOENT, NoSuchKey, HTTP 404) when the object does not exist:
 * optional files such as `model.safetensors.index.json` are probed that way.
 */
export type FetchFile = (uri: string) => Promise<Uint8Array | null>

export interface CheckpointSourceOptions {
  /** Reader for `s3://` (and any other scheme the engine does not read itself). */
  fetchFile?: FetchFile
  /** Hub address for `hf://`; default https://huggingface.co. */
  hubEndpoint?: string
  /** Token for gated or private hub repositories; default `$HF_TOKEN`. */
  hubToken?: string
  /** Give up on one hub request after this long; default 30 s. */
  hubTimeoutMs?: number
}

export interface CheckpointSource {
  /** The source as the user wrote it, for messages. */
  description: string
  /** The file's bytes, or null when the checkpoint has no such file. */
  read(fileName: string): Promise<Uint8Array | null>
}

export function openCheckpointSource(source: string, options: CheckpointSourceOptions = {}): CheckpointSource {
  if (source.startsWith('file://')) return localSource(fileURLToPath(source), source)
  if (source.startsWith('hf://')) return hubSource(source, options)
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]
  if (scheme) {
    const { fetchFile } = options
    if (!fetchFile) {
      throw new Error(`Cannot read ${source}: the engine reads ${scheme}:// through an injected fetchFile option, and none was given`)
    }
    const base = source.replace(/\/+$/, '')
    return {
      description: source,
      read: (fileName) => fetchFile(`${base}/${fileName}`).catch((error: unknown) => notFoundAsNull(error)),
    }
  }
  return localSource(source, source)
}

function localSource(directory: string, description: string): CheckpointSource {
  return {
    description,
    read: async (fileName) => {
      try {
        return new Uint8Array(await readFile(join(directory, fileName)))
      } catch (error) {
        return notFoundAsNull(error)
      }
    },
  }
}

const HUB_URI = /^hf:\/\/([^/@\s]+)\/([^/@\s]+)(?:@(\S+))?$/

function hubSource(source: string, options: CheckpointSourceOptions): CheckpointSource {
  const match = HUB_URI.exec(source)
  if (!match) throw new Error(`${source} is not a hub address; expected hf://org/name or hf://org/name@revision`)
  const [, organisation, name, revision = 'main'] = match
  const endpoint = (options.hubEndpoint ?? 'https://huggingface.co').replace(/\/+$/, '')
  // Never put the token in a message: errors end up in run records and logs.
  const token = options.hubToken ?? setting('HF_TOKEN')
  const timeoutMs = options.hubTimeoutMs ?? 30_000
  return {
    description: source,
    read: async (fileName) => {
      const url = `${endpoint}/${organisation}/${name}/resolve/${encodeURIComponent(revision)}/${fileName}`
      let response: Response
      try {
        response = await fetch(url, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        throw new Error(
          `Cannot reach the Hugging Face hub for ${source} (${url}): ${describeFetchError(error)}. ` +
            'The network or the hub is unreachable from here; copy the checkpoint to a folder or S3 and use a file:// or s3:// source instead.',
        )
      }
      if (response.status === 404) return null
      if (response.status === 401 || response.status === 403) throw new Error(refusalMessage(source, url, response, token !== undefined))
      if (!response.ok) throw new Error(`The Hugging Face hub answered ${response.status} ${response.statusText} for ${url}`)
      return new Uint8Array(await response.arrayBuffer())
    },
  }
}

/**
 * What a 401 or 403 means for a hub download. A gated repository (Llama 2, …) answers 401
 * to a request without a token, and 403 to a token whose account has not been granted
 * access; a private or missing repository answers 401 as well. The hub's own reason
 * (`X-Error-Message`) is quoted; the token never is.
 */
function refusalMessage(source: string, url: string, response: Response, sentToken: boolean): string {
  const answered = `the Hugging Face hub answered ${response.status} ${response.statusText} for ${url}`
  const hubSays = response.headers.get('x-error-message')
  const reason = hubSays ? ` ("${hubSays.slice(0, 300)}")` : ''
  const onAws = 'on AWS, `npx sst secret set HfToken <token> --stage <stage>`; the Batch jobs receive it as HF_TOKEN'
  if (!sentToken) {
    return `${source} is gated or private: ${answered}${reason} and no HF_TOKEN is set. Accept the model's licence on huggingface.co `
      + `with an account that may read it, then set HF_TOKEN to a read token of that account (${onAws}).`
  }
  if (response.status === 401) {
    return `${source}: ${answered}${reason} although HF_TOKEN is set: the token is invalid or expired. Set HF_TOKEN to a valid read token (${onAws}).`
  }
  return `${source} is gated: ${answered}${reason}: the account of HF_TOKEN has not been granted access. Accept the model's licence `
    + `(or request access) on huggingface.co with that account, or use a token of an account that has access.`
}

/** fetch hides the reason (DNS, refused, timeout) in `cause`. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.message}${cause}`
}

function notFoundAsNull(error: unknown): null {
  const { code, name, $metadata, status } = (error ?? {}) as { code?: string; name?: string; $metadata?: { httpStatusCode?: number }; status?: number }
  if (code === 'ENOENT' || name === 'NoSuchKey' || name === 'NotFound' || status === 404 || $metadata?.httpStatusCode === 404) return null
  throw error
}
