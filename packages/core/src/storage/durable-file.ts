import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** In-flight temporary files are named like this, so that listings can skip them. */
const PARTIAL_FILE_NAME = /^\.partial-[0-9a-f]{12}$/

/** Whether a file name is one of writeFileDurably's temporary files. */
export function isPartialFileName(name: string): boolean {
  return PARTIAL_FILE_NAME.test(name)
}

/**
 * Writes a file so that, after a crash, the path holds either the old content or the
 * whole new content, never a torn mix: write a temporary file in the same directory,
 * fsync it, rename it over the target (atomic within one filesystem), then fsync the
 * directory so that the rename itself survives a power loss. Creates parent folders.
 */
export async function writeFileDurably(path: string, body: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
  const directory = dirname(path)
  await mkdir(directory, { recursive: true })
  const temporaryPath = join(directory, `.partial-${randomBytes(6).toString('hex')}`)
  const file = await open(temporaryPath, 'wx')
  try {
    await writeFile(file, body)
    await file.sync()
    await file.close()
    await rename(temporaryPath, path)
  } catch (error) {
    await file.close().catch(() => undefined)
    await rm(temporaryPath, { force: true })
    throw error
  }
  await syncDirectory(directory)
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
