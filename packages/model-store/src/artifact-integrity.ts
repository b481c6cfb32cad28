/**
 * A run's files are loaded back (to serve, to analyse, to train on a pretrained
 * backbone) only as the run recorded them: every read is checked against the sha256
 * in run_artifacts, written when the file was stored (saveArtifact). A file changed
 * or corrupted in the store since is refused, naming its key and both hashes, never
 * loaded into a model.
 */
import { createHash } from 'node:crypto'
import { ArtifactNotFoundError, ProblemError, listRunArtifacts, type ArtifactStore, type Database } from '@bankbench/core'
import type { FetchFile } from '@bankbench/engine'

/** A stored file whose bytes are not the ones recorded for it. A 409 problem where an API request meets it. */
export class ArtifactIntegrityError extends ProblemError {
  constructor(readonly key: string, readonly expectedSha256: string, readonly actualSha256: string, whose: string) {
    super('invalid-state', `artifact ${key} (${whose}) does not match its recorded sha256: expected ${expectedSha256}, actual ${actualSha256}; ` +
      'it was changed or corrupted after it was recorded, and is not loaded')
    this.name = 'ArtifactIntegrityError'
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Throws ArtifactIntegrityError unless `bytes` hash to `expectedSha256`; returns them. */
export function verifySha256(key: string, bytes: Uint8Array, expectedSha256: string, whose: string): Uint8Array {
  const actual = sha256Hex(bytes)
  if (actual !== expectedSha256.toLowerCase()) throw new ArtifactIntegrityError(key, expectedSha256, actual, whose)
  return bytes
}

export interface RecordedArtifact { name: string; key: string; sha256: string }

/** A run's recorded artifacts, read only through their recorded sha256. */
export interface VerifiedRunArtifacts {
  runId: string
  /** By name (`adapter/adapter_model.safetensors`, `model/config.json`, `classifier.json`, …). */
  artifacts: Map<string, RecordedArtifact>
  /** The named artifact's bytes, verified; undefined when the run recorded no such name. */
  read(name: string): Promise<Uint8Array | undefined>
  /**
   * A checkpoint loader's reader for `<root><key>` URIs: a recorded key comes back
   * verified; a key the run did not record is absent (null) when the store has none,
   * and refused when it has one (a file slipped in beside the run's own).
   */
  fetchFile(root: string): FetchFile
}

export async function verifiedRunArtifacts(db: Database, store: ArtifactStore, runId: string): Promise<VerifiedRunArtifacts> {
  const artifacts = new Map((await listRunArtifacts(db, runId)).map((artifact) => [artifact.name, artifact]))
  const byKey = new Map([...artifacts.values()].map((artifact) => [artifact.key, artifact]))
  const whose = (artifact: RecordedArtifact) => `'${artifact.name}' of run ${runId}`
  return {
    runId,
    artifacts,
    async read(name) {
      const artifact = artifacts.get(name)
      return artifact ? verifySha256(artifact.key, await store.get(artifact.key), artifact.sha256, whose(artifact)) : undefined
    },
    fetchFile: (root) => async (uri) => {
      const key = uri.slice(root.length)
      const artifact = byKey.get(key)
      if (artifact) return verifySha256(key, await store.get(key), artifact.sha256, whose(artifact))
      if (await store.exists(key)) throw new Error(`artifact ${key} is not a recorded artifact of run ${runId}; refusing to load it with the run's model`)
      return null
    },
  }
}

/**
 * A reader for a folder of copies of recorded files (the published local backbone): the
 * file `<root><prefix><name>` must hash to what `expected(name)` says was recorded.
 * A file with no recorded hash is absent when the store has none, refused when it has one.
 */
export function verifiedCopyReader(store: ArtifactStore, root: string, prefix: string, expected: (name: string) => { sha256: string; whose: string } | undefined): FetchFile {
  return async (uri) => {
    const key = uri.slice(root.length)
    const recorded = key.startsWith(prefix) ? expected(key.slice(prefix.length)) : undefined
    let bytes: Uint8Array
    try {
      bytes = await store.get(key)
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null
      throw error
    }
    if (!recorded) throw new Error(`artifact ${key} has no recorded sha256; refusing to load it`)
    return verifySha256(key, bytes, recorded.sha256, recorded.whose)
  }
}
