import { describe, expect, it } from 'vitest'
import { renderReportHtml } from './html/document'
import { ChromiumUnavailableError, findChromium, renderReportPdf } from './pdf'
import { sampleReportData } from './testing/sample-report'

const chromium = findChromium()

describe('renderReportPdf', () => {
  // PDF printing needs a Chromium binary (Debian: apt-get install chromium); the HTML report does not.
  it.skipIf(!chromium)('prints the report to a multi-page A4 PDF', async () => {
    const pdf = Buffer.from(await renderReportPdf(await renderReportHtml(sampleReportData())))
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []
    expect(pages.length).toBeGreaterThan(1)
  })

  it('says how to get Chromium when there is none', async () => {
    const env = { BANKBENCH_CHROMIUM: '/nonexistent/chromium' }
    expect(findChromium(env)).toBeNull()
    const error = await renderReportPdf('<p>hi</p>', env).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(ChromiumUnavailableError)
    expect((error as Error).message).toMatch(/no executable at \/nonexistent\/chromium.*apt-get install chromium.*BANKBENCH_CHROMIUM/)
  })
})
