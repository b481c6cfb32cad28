import { accessSync, constants } from 'node:fs'
import { isSet, SETTINGS, setting, type Environment } from '@bankbench/settings'

/** Where Debian (and the CI image) installs Chromium; `BANKBENCH_CHROMIUM` names another binary. */
export const DEFAULT_CHROMIUM = SETTINGS.BANKBENCH_CHROMIUM.unset

/**
 * Flags for a headless Chromium that prints a local page and nothing else: no
 * sandbox (it runs as root in containers), no GPU, and none of the background
 * traffic (updates, sync, first-run) a machine without internet would wait on.
 */
const QUIET_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', ...QUIET_FLAGS]

export class ChromiumUnavailableError extends Error {
  constructor(readonly executablePath: string, reason?: string) {
    super(reason ?? `PDF rendering needs Chromium, and there is no executable at ${executablePath}; install it (Debian: apt-get install chromium) or set BANKBENCH_CHROMIUM to its path. The HTML report needs nothing.`)
    this.name = 'ChromiumUnavailableError'
  }
}

/**
 * Where the Chromium that prints comes from (`BANKBENCH_CHROMIUM_SOURCE`): `sparticuz`,
 * the Lambda-ready build in the npm package `@sparticuz/chromium`, by default on AWS
 * Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), whose image has no browser; else `path`, the
 * binary at `BANKBENCH_CHROMIUM`.
 */
export type ChromiumSource = 'path' | 'sparticuz'

export function chromiumSource(env: Environment = process.env): ChromiumSource {
  return setting('BANKBENCH_CHROMIUM_SOURCE', env) ?? (isSet('AWS_LAMBDA_FUNCTION_NAME', env) ? 'sparticuz' : 'path')
}

/** The Chromium binary to print with (`BANKBENCH_CHROMIUM`, else Debian's), or null when it is not installed. */
export function findChromium(env: Environment = process.env): string | null {
  const path = setting('BANKBENCH_CHROMIUM', env)
  try {
    accessSync(path, constants.X_OK)
    return path
  } catch {
    return null
  }
}

export interface ChromiumLaunch {
  source: ChromiumSource
  executablePath: string
  args: string[]
}

/**
 * The executable and flags to launch, from the source `chromiumSource` picks.
 * `sparticuz`: the package is imported only here (a local run never loads it); the
 * first `executablePath()` in a container decompresses Chromium, its fonts, SwiftShader
 * and, on Amazon Linux 2023, its shared libraries into the temporary folder (212 MB,
 * 3 to 5 s here: bench/report-pdf-lambda.ts), and later calls reuse that copy. WebGL is
 * switched off (the report is HTML, CSS and SVG). Its flags are the package's serverless
 * set (`--single-process`, `--no-zygote`, `--headless='shell'`, …) plus ours that keep
 * Chromium off the network. Throws `ChromiumUnavailableError` when there is no binary.
 */
export async function chromiumLaunch(env: Environment = process.env): Promise<ChromiumLaunch> {
  if (chromiumSource(env) === 'sparticuz') {
    const chromium = await import('@sparticuz/chromium').then((module) => module.default, (error: unknown) => {
      throw new ChromiumUnavailableError('@sparticuz/chromium', `PDF rendering with BANKBENCH_CHROMIUM_SOURCE=sparticuz needs the npm package @sparticuz/chromium, which did not load (${error instanceof Error ? error.message : String(error)}). The HTML report needs nothing.`)
    })
    chromium.setGraphicsMode = false
    return { source: 'sparticuz', executablePath: await chromium.executablePath(), args: [...chromium.args, ...QUIET_FLAGS] }
  }
  const executablePath = findChromium(env)
  if (!executablePath) throw new ChromiumUnavailableError(setting('BANKBENCH_CHROMIUM', env))
  return { source: 'path', executablePath, args: CHROMIUM_FLAGS }
}

/**
 * Prints a report's HTML to an A4 PDF with headless Chromium through
 * playwright-core (which drives a browser but never downloads one), launched as
 * `chromiumLaunch` says. The page is self-contained, so nothing is fetched while it
 * loads. Throws `ChromiumUnavailableError` when there is no Chromium.
 */
export async function renderReportPdf(html: string, env: Environment = process.env): Promise<Uint8Array<ArrayBuffer>> {
  const { executablePath, args } = await chromiumLaunch(env)
  // Loaded on first use: servers that never print never load it.
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath, args, timeout: 60_000 })
  try {
    const page = await browser.newPage()
    await page.setContent(html, { waitUntil: 'load' })
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate: PAGE_FOOTER })
    return new Uint8Array(pdf)
  } finally {
    await browser.close()
  }
}

const PAGE_FOOTER = '<div style="font-size:7pt;color:#888;width:100%;text-align:center;font-family:sans-serif"><span class="pageNumber"></span> / <span class="totalPages"></span></div>'
