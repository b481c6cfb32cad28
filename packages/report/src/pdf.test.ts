import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderReportHtml } from './html/document'
import { ChromiumUnavailableError, chromiumLaunch, chromiumSource, findChromium, renderReportPdf } from './pdf'
import { sampleReportData } from './testing/sample-report'

const chromium = findChromium()

function pdfPages(pdf: Buffer) {
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length
}

describe('renderReportPdf', () => {
  // PDF printing needs a Chromium binary (Debian: apt-get install chromium); the HTML report does not.
  it.skipIf(!chromium)('prints the report to a multi-page A4 PDF', async () => {
    const pdf = Buffer.from(await renderReportPdf(await renderReportHtml(sampleReportData())))
    expect(pdfPages(pdf)).toBeGreaterThan(1)
  })

  it('says how to get Chromium when there is none', async () => {
    const env = { BANKBENCH_CHROMIUM: '/nonexistent/chromium' }
    expect(findChromium(env)).toBeNull()
    const error = await renderReportPdf('<p>hi</p>', env).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(ChromiumUnavailableError)
    expect((error as Error).message).toMatch(/no executable at \/nonexistent\/chromium.*apt-get install chromium.*BANKBENCH_CHROMIUM/)
  })
})

describe('chromiumSource', () => {
  it('is the local binary, and on AWS Lambda @sparticuz/chromium, unless BANKBENCH_CHROMIUM_SOURCE says which', () => {
    expect(chromiumSource({})).toBe('path')
    expect(chromiumSource({ AWS_LAMBDA_FUNCTION_NAME: 'bankbench-ci-ApiRouteAbc' })).toBe('sparticuz')
    expect(chromiumSource({ AWS_LAMBDA_FUNCTION_NAME: 'bankbench-ci-ApiRouteAbc', BANKBENCH_CHROMIUM_SOURCE: 'path' })).toBe('path')
    expect(chromiumSource({ BANKBENCH_CHROMIUM_SOURCE: 'sparticuz' })).toBe('sparticuz')
    expect(() => chromiumSource({ BANKBENCH_CHROMIUM_SOURCE: 'chrome' })).toThrow(/BANKBENCH_CHROMIUM_SOURCE/)
  })

  it.skipIf(!chromium)('launches the local binary with our headless flags', async () => {
    const launch = await chromiumLaunch({ BANKBENCH_CHROMIUM: chromium!, AWS_LAMBDA_FUNCTION_NAME: '' })
    expect(launch).toMatchObject({ source: 'path', executablePath: chromium })
    expect(launch.args).toContain('--headless')
  })
})

// The Lambda-ready build targets Amazon Linux 2023 but also runs on Debian 12: the same
// launch as on Lambda, decompressed into a temporary folder of this test's own.
describe('@sparticuz/chromium', () => {
  const savedTmpdir = process.env.TMPDIR
  let tmp = ''
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'bankbench-sparticuz-'))
    process.env.TMPDIR = tmp
  })
  afterAll(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = savedTmpdir
    rmSync(tmp, { recursive: true, force: true })
  })

  it('decompresses its Chromium once and prints the report with it', async () => {
    const env = { AWS_LAMBDA_FUNCTION_NAME: 'bankbench-ci-ApiRouteAbc' }
    const launch = await chromiumLaunch(env)
    expect(launch).toMatchObject({ source: 'sparticuz', executablePath: join(tmp, 'chromium') })
    expect(launch.args).toEqual(expect.arrayContaining(['--single-process', '--no-sandbox', '--disable-background-networking']))
    const pdf = Buffer.from(await renderReportPdf(await renderReportHtml(sampleReportData()), env))
    expect(pdfPages(pdf)).toBeGreaterThan(1)
  }, 120_000)
})
