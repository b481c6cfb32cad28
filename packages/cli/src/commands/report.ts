import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { BankbenchApiError } from '@bankbench/client'
import type { CliClient } from '../client'

export interface WrittenReport {
  html: string
  /** Null when the server cannot print PDFs (no Chromium there). */
  pdf: string | null
  /** Why there is no PDF. */
  pdfSkipped: string | null
}

/** Fetches a benchmark's HTML and PDF reports from the API and writes `<out>/<id>.html` and `<out>/<id>.pdf`. */
export async function writeReport(client: CliClient, id: string, outDir: string): Promise<WrittenReport> {
  await mkdir(outDir, { recursive: true })
  const params = { path: { id } }
  const html = resolve(join(outDir, `${id}.html`))
  await writeFile(html, new Uint8Array((await client.api.GET('/v1/benchmarks/{id}/report', { params, parseAs: 'arrayBuffer' })).data))
  try {
    const pdf = resolve(join(outDir, `${id}.pdf`))
    await writeFile(pdf, new Uint8Array((await client.api.GET('/v1/benchmarks/{id}/report.pdf', { params, parseAs: 'arrayBuffer' })).data))
    return { html, pdf, pdfSkipped: null }
  } catch (error) {
    // 503: this server has no Chromium; the HTML report is still whole.
    if (error instanceof BankbenchApiError && error.status === 503) return { html, pdf: null, pdfSkipped: error.problem.detail }
    throw error
  }
}

export function describeReport(report: WrittenReport): string {
  return [`report: ${report.html}`, report.pdf ? `report: ${report.pdf}` : `no PDF: ${report.pdfSkipped}`].join('\n')
}
