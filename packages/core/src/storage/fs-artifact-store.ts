import { open, readdir, readFile, stat, unlink } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ArtifactNotFoundError } from './artifact-store'
import type { ArtifactInfo, ArtifactStore } from './artifact-store'
import { validateKey, validatePrefix } from './artifact-key'
import { sha256Hex, sha256OfFile } from './content-address'
import { isPartialFileName, writeFileDurably } from './durable-file'

/**
 * Artifacts as plain files under a root folder (the laptop and CI default,
 * `.bankbench/artifacts`): the key `runs/7/adapter/adapter_config.json` is the file
 * `<root>/runs/7/adapter/adapter_config.json`. Content types are not kept.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly uri: string
  readonly rootDir: string

  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir)
    this.uri = pathToFileURL(this.rootDir).href
  }

  async put(key: string, body: Uint8Array | string): Promise<ArtifactInfo> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    await writeFileDurably(this.pathOf(key), bytes)
    return { key, bytes: bytes.byteLength, sha256: sha256Hex(bytes) }
  }

  async putFile(key: string, path: string): Promise<ArtifactInfo> {
    const target = this.pathOf(key)
    const { sha256, bytes } = await sha256OfFile(path)
    const source = await open(path, 'r')
    try {
      await writeFileDurably(target, source.createReadStream({ autoClose: false }))
    } finally {
      await source.close()
    }
    return { key, bytes, sha256 }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)))
    } catch (error) {
      throw isMissing(error) ? new ArtifactNotFoundError(key) : error
    }
  }

  async getFile(key: string, path: string): Promise<void> {
    // Open first, so that a missing key fails before anything is created at `path`.
    const source = await open(this.pathOf(key), 'r').catch((error: unknown) => {
      throw isMissing(error) ? new ArtifactNotFoundError(key) : error
    })
    try {
      await writeFileDurably(path, source.createReadStream({ autoClose: false }))
    } catch (error) {
      throw isMissing(error) ? new ArtifactNotFoundError(key) : error
    } finally {
      await source.close()
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile()
    } catch (error) {
      if (isMissing(error)) return false
      throw error
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix)
    // Only the folder holding the prefix's last (possibly partial) segment can match.
    const folder = join(this.rootDir, ...prefix.slice(0, prefix.lastIndexOf('/') + 1).split('/'))
    let entries
    try {
      entries = await readdir(folder, { recursive: true, withFileTypes: true })
    } catch (error) {
      if (isMissing(error)) return []
      throw error
    }
    return entries
      .filter((entry) => entry.isFile() && !isPartialFileName(entry.name))
      .map((entry) => relative(this.rootDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort()
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key))
    } catch (error) {
      // Deleting what is not there succeeds, as on S3.
      if (!isMissing(error)) throw error
    }
  }

  private pathOf(key: string): string {
    validateKey(key)
    return join(this.rootDir, ...key.split('/'))
  }
}

/** Errors meaning "no file at this key": absent, a parent is a file, or the key names a folder. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}
