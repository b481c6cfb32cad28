import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ApiError, type ApiClient } from '../client'

export interface WrittenReport {
  html: string
  /** Null when the server cannot print PDFs (no Chromium there). */
  pdf: string | null
  /** Why there is no PDF. */
  pdfSkipped: string | null
}

/** Fetches a benchmark's HTML and PDF reports from the API and writes `<out>/<id>.html` and `<out>/<id>.pdf`. */
export async function writeReport(client: ApiClient, id: string, outDir: string): Promise<WrittenReport> {
  await mkdir(outDir, { recursive: true })
  const html = resolve(join(outDir, `${id}.html`))
  await writeFile(html, await fetchBody(client, `/v1/benchmarks/${id}/report`))
  try {
    const pdf = resolve(join(outDir, `${id}.pdf`))
    await writeFile(pdf, await fetchBody(client, `/v1/benchmarks/${id}/report.pdf`))
    return { html, pdf, pdfSkipped: null }
  } catch (error) {
    // 503: this server has no Chromium; the HTML report is still whole.
    if (error instanceof ApiError && error.status === 503) return { html, pdf: null, pdfSkipped: error.problem.detail ?? error.message }
    throw error
  }
}

async function fetchBody(client: ApiClient, path: string): Promise<Uint8Array> {
  const response = await client.request(path)
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})) as { detail?: string }, path)
  return new Uint8Array(await response.arrayBuffer())
}

export function describeReport(report: WrittenReport): string {
  return [`report: ${report.html}`, report.pdf ? `report: ${report.pdf}` : `no PDF: ${report.pdfSkipped}`].join('\n')
}
