import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileDurably } from './durable-file'

let folder: string
beforeAll(async () => { folder = await mkdtemp(join(tmpdir(), 'bankbench-durable-')) })
afterAll(async () => { await rm(folder, { recursive: true, force: true }) })

describe('writeFileDurably', () => {
  it('writes bytes and streamed chunks, creating parent folders', async () => {
    await writeFileDurably(join(folder, 'a', 'b', 'bytes.bin'), new Uint8Array([1, 2, 3]))
    expect([...await readFile(join(folder, 'a', 'b', 'bytes.bin'))]).toEqual([1, 2, 3])
    async function* chunks() { yield Buffer.from('hello '); yield Buffer.from('world') }
    await writeFileDurably(join(folder, 'streamed.txt'), chunks())
    expect(await readFile(join(folder, 'streamed.txt'), 'utf8')).toBe('hello world')
  })

  it('keeps the old content and leaves no temporary file when the source fails midway', async () => {
    const target = join(folder, 'kept', 'config.json')
    await writeFileDurably(target, Buffer.from('{"old":true}'))
    async function* failing() { yield Buffer.from('{"new":'); throw new Error('connection reset') }
    await expect(writeFileDurably(target, failing())).rejects.toThrow('connection reset')
    expect(await readFile(target, 'utf8')).toBe('{"old":true}')
    expect(await readdir(join(folder, 'kept'))).toEqual(['config.json'])
  })

  it('replaces an existing file', async () => {
    const target = join(folder, 'replaced.txt')
    await writeFile(target, 'a much longer first version')
    await writeFileDurably(target, Buffer.from('v2'))
    expect(await readFile(target, 'utf8')).toBe('v2')
  })
})
