import { accessSync, constants } from 'node:fs'
import { SETTINGS, setting, type Environment } from '@bankbench/settings'

/** Where Debian (and the CI image) installs Chromium; `BANKBENCH_CHROMIUM` names another binary. */
export const DEFAULT_CHROMIUM = SETTINGS.BANKBENCH_CHROMIUM.unset

/**
 * Flags for a headless Chromium that prints a local page and nothing else: no
 * sandbox (it runs as root in containers), no GPU, and none of the background
 * traffic (updates, sync, first-run) a machine without internet would wait on.
 */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export class ChromiumUnavailableError extends Error {
  constructor(readonly executablePath: string) {
    super(`PDF rendering needs Chromium, and there is no executable at ${executablePath}; install it (Debian: apt-get install chromium) or set BANKBENCH_CHROMIUM to its path. The HTML report needs nothing.`)
    this.name = 'ChromiumUnavailableError'
  }
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

/**
 * Prints a report's HTML to an A4 PDF with headless Chromium through
 * playwright-core (which drives a browser but never downloads one). The page is
 * self-contained, so nothing is fetched while it loads. Throws
 * `ChromiumUnavailableError` when there is no Chromium (see `findChromium`).
 */
export async function renderReportPdf(html: string, env: Environment = process.env): Promise<Uint8Array<ArrayBuffer>> {
  const executablePath = findChromium(env)
  if (!executablePath) throw new ChromiumUnavailableError(setting('BANKBENCH_CHROMIUM', env))
  // Loaded on first use: servers that never print (a Lambda without Chromium) never load it.
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, timeout: 60_000 })
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
