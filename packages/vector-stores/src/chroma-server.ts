import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * The Chroma server the `chromadb` npm package ships (`chroma run`, a native binary in
 * `chromadb-js-bindings-*`), started as a child process on a free loopback port with
 * its data in a temporary folder. What tests, the benchmark and a laptop run; a
 * deployed Chroma is reached by host and port instead.
 */
export interface LocalChromaServer {
  host: string
  port: number
  pid: number
  stop(): Promise<void>
}

export async function startLocalChroma(options: { timeoutMs?: number } = {}): Promise<LocalChromaServer> {
  // The package exports no ./package.json; its entry (dist/cjs/chromadb.cjs) is one folder below the CLI.
  const cli = join(dirname(createRequire(import.meta.url).resolve('chromadb')), '..', 'cli.mjs')
  const folder = mkdtempSync(join(tmpdir(), 'chroma-'))
  const port = await freePort()
  const child = spawn(process.execPath, [cli, 'run', '--path', folder, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000) })
  child.stderr!.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000) })
  const stop = async () => {
    await stopChild(child)
    rmSync(folder, { recursive: true, force: true })
  }
  try {
    await waitForHeartbeat(`http://127.0.0.1:${port}/api/v2/heartbeat`, child, options.timeoutMs ?? 30_000)
  } catch (error) {
    await stop()
    throw new Error(`the local Chroma server did not start: ${(error as Error).message}\n${output}`)
  }
  return { host: '127.0.0.1', port, pid: child.pid!, stop }
}

async function waitForHeartbeat(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no heartbeat within ${timeoutMs} ms`)
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
