import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { saveCheckpoint, type Checkpoint } from '@bankbench/engine'

/** A checkpoint as HF-layout files (name → bytes), written by the engine's own saveCheckpoint. */
export async function checkpointFiles(checkpoint: Checkpoint): Promise<Map<string, Uint8Array>> {
  const directory = await mkdtemp(join(tmpdir(), 'bankbench-checkpoint-'))
  try {
    const names = await saveCheckpoint(directory, checkpoint)
    const files = new Map<string, Uint8Array>()
    for (const name of names) files.set(name, new Uint8Array(await readFile(join(directory, name))))
    return files
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
