/**
 * The notebook (notebooks/banking77-study.ipynb) end to end, as CI runs it: the embedded
 * server on a free port (what `npm start` starts: PGlite, files, local job processes, in a
 * fresh home), then `jupyter nbconvert --execute` of the committed notebook against it with
 * the `quick` preset, into a temporary copy. Any cell that raises fails nbconvert, and so this
 * test; the copy's outputs must show the deployment and the classified messages. About two
 * to three minutes on 2 cores (the benchmark's five runs are most of it).
 *
 * Skipped only where `jupyter nbconvert` is not installed (CI installs Debian's
 * jupyter-nbconvert, python3-ipykernel, python3-pandas, python3-matplotlib, python3-requests:
 * .ci/run). The committed notebook is checked everywhere: no outputs, only requests, pandas
 * and matplotlib beside the standard library.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@bankbench/api'
import { createPlatform, loadConfig, type Platform } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const NOTEBOOK = join(import.meta.dirname, '..', 'notebooks', 'banking77-study.ipynb')

interface Output { output_type: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[]; execution_count?: number | null }
interface Notebook { cells: Cell[]; metadata: { kernelspec?: { name?: string } } }

const text = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join('') : value ?? '')
const readNotebook = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Notebook
const codeCells = (notebook: Notebook) => notebook.cells.filter((cell) => cell.cell_type === 'code')

/** What the notebook may import: the standard library modules it uses, the three packages a Colab user has, and the two platforms' secret stores. */
const ALLOWED_IMPORTS = new Set(['importlib', 'os', 'subprocess', 'sys', 'time', 'uuid', 'requests', 'pandas', 'matplotlib', 'google', 'kaggle_secrets'])

const nbconvert = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' })
const hasJupyter = nbconvert.status === 0
const SKIP_REASON = 'jupyter nbconvert is not installed (apt-get install jupyter-nbconvert python3-ipykernel python3-pandas python3-matplotlib python3-requests, as .ci/run does)'
if (!hasJupyter) console.warn(`test/notebook.e2e.test.ts: skipping the notebook's execution: ${SKIP_REASON}`)

describe('the committed notebook', () => {
  const notebook = readNotebook(NOTEBOOK)

  it('has no outputs (the executed copy is never committed) and runs on the python3 kernel', () => {
    const cells = codeCells(notebook)
    expect(cells.length).toBeGreaterThan(10)
    const executed = cells.map((cell, index) => ({ index, outputs: cell.outputs?.length ?? 0, count: cell.execution_count ?? null }))
      .filter((cell) => cell.outputs > 0 || cell.count !== null)
    expect(executed, 'clear the outputs before committing (Jupyter: Edit > Clear All Outputs; or jupyter nbconvert --clear-output --inplace)').toEqual([])
    expect(notebook.metadata.kernelspec?.name).toBe('python3')
  })

  it('imports only requests, pandas and matplotlib beside the standard library', () => {
    const imported = codeCells(notebook).flatMap((cell) => [...text(cell.source).matchAll(/^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))/gm)])
      .map((match) => (match[1] ?? match[2]!).split('.')[0]!)
    expect(imported).toContain('requests')
    expect([...new Set(imported)].filter((name) => !ALLOWED_IMPORTS.has(name))).toEqual([])
  })
})

describe('the notebook against the embedded server', () => {
  let home: string
  let platform: Platform
  let server: Awaited<ReturnType<typeof startServer>>

  beforeAll(async () => {
    if (!hasJupyter) return
    home = mkdtempSync(join(tmpdir(), 'bankbench-notebook-'))
    platform = await createPlatform(loadConfig({ BANKBENCH_HOME: home }))
    // Local mode, as `npm start`: loopback only, no operator key.
    server = await startServer(platform, 0, {})
  })
  afterAll(async () => {
    await server?.close()
    await platform?.close()
    if (home) rmSync(home, { recursive: true, force: true })
  })

  it.skipIf(!hasJupyter)(`runs every cell with the quick preset: comparison, plots, deployment, classify${hasJupyter ? '' : ` (skipped: ${SKIP_REASON})`}`, async () => {
    const out = join(home, 'executed')
    const env: Record<string, string | undefined> = { ...process.env, BANKBENCH_URL: server.url, BANKBENCH_PRESET: 'quick', PYDEVD_DISABLE_FILE_VALIDATION: '1' }
    delete env.BANKBENCH_API_KEY
    const started = Date.now()
    // Asynchronous: this process serves the API the notebook calls.
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=900', '--output-dir', out, '--output', 'executed', NOTEBOOK], { env })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-20_000) })
      child.on('error', reject)
      child.on('close', (exitCode) => resolve({ code: exitCode, stderr }))
    })
    expect(code, `jupyter nbconvert failed:\n${stderr}`).toBe(0)
    console.log(`notebook executed in ${((Date.now() - started) / 1000).toFixed(0)} s`)

    const executed = readNotebook(join(out, 'executed.ipynb'))
    const outputs = codeCells(executed).flatMap((cell) => cell.outputs ?? [])
    expect(outputs.filter((output) => output.output_type === 'error').map((output) => `${output.ename}: ${output.evalue}`)).toEqual([])
    const printed = outputs.map((output) => text(output.text)).join('')
    expect(printed).toMatch(/submitted bm_\w+: 5 runs of preset 'quick'/)
    expect(printed).toMatch(/succeeded: 5\/5 runs finished/)
    expect(printed).toMatch(/Deployed run_\w+ to stage 'notebook'/)
    expect(printed).toMatch(/'I lost my card yesterday' -> \w+/)
    expect(printed).toContain('classified 5 messages in one batch')
    // Accuracy against memory, time and cost; the rank curve (r 4 and 16); LoRA's loss curves; the calibration curve.
    expect(outputs.filter((output) => output.data?.['image/png'] !== undefined)).toHaveLength(4)
  }, 900_000)
})
