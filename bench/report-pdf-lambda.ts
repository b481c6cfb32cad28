/**
 * The PDF report on AWS Lambda: what the Lambda-ready Chromium of `@sparticuz/chromium`
 * costs, beside the peer, Debian's `/usr/bin/chromium`, both launched through the same
 * code (packages/report/src/pdf.ts, `BANKBENCH_CHROMIUM_SOURCE=sparticuz|path`).
 *   npx tsx bench/report-pdf-lambda.ts [--renders 2]
 * Prints the package's size on disk and zipped against Lambda's 250 MB unzipped limit
 * (and the API bundle's, which carries it), then, each source in a fresh process with
 * its own empty temporary folder: the first and second `executablePath()` (the first
 * decompresses Chromium into the temporary folder), the first and later renders of the
 * sample report (launch, print, close) and the peak resident memory of the process tree
 * (Node and every Chromium process, sampled every 20 ms). A cold start on Lambda itself
 * cannot be measured here; packages/report/README.md says what it adds.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromiumLaunch, chromiumSource, renderReportHtml, renderReportPdf, type ChromiumSource } from '@bankbench/report'
import { PDF_PRINTING_PACKAGES } from '../infra/lambda-bundles'
import { buildLambdaBundle, runtimePackageFolders } from '../scripts/build-lambdas'
import { sampleReportData } from '../packages/report/src/testing/sample-report'

const LAMBDA_UNZIPPED_LIMIT = 250e6
const SAMPLE_MS = 20
const SELF = fileURLToPath(import.meta.url)
const REPO = fileURLToPath(new URL('..', import.meta.url))

interface ChildFigures {
  source: ChromiumSource
  executablePath: string
  /** `chromiumLaunch` (import, `executablePath()`), first and second call. */
  launchInfoMs: [number, number]
  /** `renderReportPdf` of the sample report: launch, print, close. */
  renderMs: number[]
  pdfBytes: number
  pages: number
  /** Files the source left in its temporary folder (the decompressed Chromium). */
  tmpBytes: number
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
const ms = (value: number) => `${value.toFixed(0)} ms`

function folderBytes(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0)
}

/** What `zip -9 -r` makes of these folders (Lambda deploys a zip), in bytes. */
function zippedBytes(cwd: string, paths: string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'bankbench-zip-'))
  try {
    const zip = spawnSync('nice', ['zip', '-q', '-9', '-r', join(dir, 'bundle.zip'), ...paths], { cwd, stdio: 'inherit' })
    if (zip.status !== 0) throw new Error(`zip failed (${zip.status ?? zip.signal})`)
    return statSync(join(dir, 'bundle.zip')).size
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The memory of every process whose ancestry reaches `root`, with `root` (Node and the
 * Chromium it launched): RSS summed, which counts the pages processes share once per
 * process, and PSS summed, which splits them, so the tree's real footprint.
 */
function treeMemory(root: number): { rss: number; pss: number } {
  const parents = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // Exited while listed.
    }
  }
  const total = { rss: 0, pss: 0 }
  for (const pid of parents.keys()) {
    let ancestor: number | undefined = pid
    while (ancestor !== undefined && ancestor > 1 && ancestor !== root) ancestor = parents.get(ancestor)
    if (ancestor !== root) continue
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      total.rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024
      total.pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024
    } catch {
      // Exited while measured.
    }
  }
  return total
}

/** One source in a fresh process and temporary folder: its figures and the tree's peak RSS. */
async function measure(source: ChromiumSource, renders: number): Promise<{ figures: ChildFigures; peak: { rss: number; pss: number }; idleRss: number } | { error: string }> {
  const tmp = mkdtempSync(join(tmpdir(), `bankbench-pdf-${source}-`))
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', String(renders)], {
      cwd: REPO,
      env: { ...process.env, TMPDIR: tmp, BANKBENCH_CHROMIUM_SOURCE: source },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const peak = { rss: 0, pss: 0 }
    let idleRss = 0
    const sampler = setInterval(() => {
      if (!child.pid) return
      const { rss, pss } = treeMemory(child.pid)
      peak.rss = Math.max(peak.rss, rss)
      peak.pss = Math.max(peak.pss, pss)
      // The Node process alone, report code loaded, before any Chromium: its first marker line.
      if (!idleRss && stdout.includes('ready')) idleRss = rss
    }, SAMPLE_MS)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearInterval(sampler)
    const line = stdout.split('\n').find((text) => text.startsWith('{'))
    if (code !== 0 || !line) return { error: `exit ${code}: ${(stderr || stdout).trim().split('\n').slice(-6).join('\n')}` }
    return { figures: JSON.parse(line) as ChildFigures, peak, idleRss }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

async function child(renders: number) {
  const html = await renderReportHtml(sampleReportData())
  console.log('ready')
  // Let the parent sample the idle process before Chromium exists.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const launchInfoMs: number[] = []
  let executablePath = ''
  for (let call = 0; call < 2; call++) {
    const started = performance.now()
    executablePath = (await chromiumLaunch()).executablePath
    launchInfoMs.push(performance.now() - started)
  }
  const renderMs: number[] = []
  let pdf = Buffer.alloc(0)
  for (let render = 0; render < renders; render++) {
    const started = performance.now()
    pdf = Buffer.from(await renderReportPdf(html))
    renderMs.push(performance.now() - started)
  }
  const figures: ChildFigures = {
    source: chromiumSource(), executablePath, launchInfoMs: launchInfoMs as [number, number], renderMs,
    pdfBytes: pdf.length, pages: (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length,
    // tsx keeps its compile cache there too.
    tmpBytes: readdirSync(tmpdir()).filter((name) => !name.startsWith('tsx')).reduce((sum, name) => sum + folderBytes(join(tmpdir(), name)), 0),
  }
  console.log(JSON.stringify(figures))
}

async function main(renders: number) {
  console.log(`Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores: wall times stretch on a shared machine\n`)

  const modulesRoot = join(REPO, 'node_modules')
  const version = (name: string) => (JSON.parse(readFileSync(join(modulesRoot, name, 'package.json'), 'utf8')) as { version: string }).version
  const foldersOf = (name: string) => [...runtimePackageFolders(name).keys()].map((folder) => relative(modulesRoot, folder))
  const bytesOf = (folders: string[]) => folders.reduce((sum, folder) => sum + folderBytes(join(modulesRoot, folder)), 0)
  const chromiumFolders = foldersOf('@sparticuz/chromium')
  console.log(`@sparticuz/chromium ${version('@sparticuz/chromium')} (the API bundle ships it with playwright-core ${version('playwright-core')}: infra/lambda-bundles.ts PDF_PRINTING_PACKAGES)`)
  console.log(`  on disk: ${mb(bytesOf(['@sparticuz/chromium']))}, of which bin/ (Brotli-packed Chromium, fonts, AL2023 libraries, SwiftShader) ${mb(folderBytes(join(modulesRoot, '@sparticuz/chromium/bin')))}; with its ${chromiumFolders.length - 1} runtime dependencies ${mb(bytesOf(chromiumFolders))}`)
  console.log(`  zipped (zip -9), with its dependencies: ${mb(zippedBytes(modulesRoot, chromiumFolders))}: the Brotli-packed binary does not compress further`)
  const folders = [...new Set(PDF_PRINTING_PACKAGES.flatMap(foldersOf))]
  const closureBytes = bytesOf(folders)
  console.log(`  with playwright-core: ${mb(closureBytes)} on disk, ${mb(zippedBytes(modulesRoot, folders))} zipped`)

  const bundleRoot = mkdtempSync(join(tmpdir(), 'bankbench-api-bundle-'))
  try {
    const { outDir } = await buildLambdaBundle('api', join(bundleRoot, 'api'))
    const unzipped = folderBytes(outDir)
    const zipped = zippedBytes(outDir, ['.'])
    const closureZipped = zippedBytes(join(outDir, 'node_modules'), folders)
    console.log(`  API bundle (.build/lambdas/api) with both: ${mb(unzipped)} unzipped (${(100 * unzipped / LAMBDA_UNZIPPED_LIMIT).toFixed(0)}% of Lambda's 250 MB), ${mb(zipped)} zipped; without them ${mb(unzipped - closureBytes)} unzipped, ${mb(zipped - closureZipped)} zipped\n`)
  } finally {
    rmSync(bundleRoot, { recursive: true, force: true })
  }

  for (const source of ['sparticuz', 'path'] as const) {
    const label = source === 'sparticuz' ? 'ours: @sparticuz/chromium' : 'peer: /usr/bin/chromium (Debian)'
    const result = await measure(source, renders)
    if ('error' in result) {
      console.log(`${label}: did not print on this machine\n  ${result.error.replaceAll('\n', '\n  ')}\n`)
      continue
    }
    const { figures, peak, idleRss } = result
    console.log(`${label} (${figures.executablePath})`)
    console.log(`  chromiumLaunch (import, executablePath()): first ${ms(figures.launchInfoMs[0])}${source === 'sparticuz' ? ` (decompresses ${mb(figures.tmpBytes)} into the temporary folder)` : ''}, second ${figures.launchInfoMs[1].toFixed(1)} ms`)
    console.log(`  render the sample report (launch, print, close): first ${ms(figures.renderMs[0]!)}, then ${figures.renderMs.slice(1).map(ms).join(', ') || '-'}; ${figures.pages} pages, ${mb(figures.pdfBytes)}`)
    console.log(`  peak memory of the process tree: PSS ${mb(peak.pss)}, RSS summed ${mb(peak.rss)} (Node alone before Chromium: RSS ${mb(idleRss)})\n`)
  }
}

const args = process.argv.slice(2)
if (args[0] === '--child') {
  await child(Number(args[1] ?? 2))
} else {
  const at = args.indexOf('--renders')
  await main(at >= 0 ? Number(args[at + 1]) : 2)
}
