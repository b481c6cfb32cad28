import { setTimeout as sleep } from 'node:timers/promises'
import { findChromium } from '@bankbench/report'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'

/** A real, fast benchmark (two baselines through the local job runner) to report on. */
let api: TestApi
let benchmarkId: string
beforeAll(async () => {
  api = await openTestApi()
  const response = await api.postJson('/v1/benchmarks', { name: 'report <floor>', arms: [{ method: 'random' }, { method: 'majority' }] })
  benchmarkId = (await response.json() as { id: string }).id
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(250)) {
    const { status } = await (await api.app.request(`/v1/benchmarks/${benchmarkId}`)).json() as { status: string }
    if (status === 'succeeded') return
    if (status === 'failed' || status === 'cancelled') {
      const runs = (await (await api.app.request(`/v1/benchmarks/${benchmarkId}/runs`)).json() as { items: { error: string | null }[] }).items
      throw new Error(`the benchmark ${status}: ${runs.map((run) => run.error).filter(Boolean).join('; ')}`)
    }
  }
  throw new Error('the benchmark did not finish in time')
})
afterAll(async () => { await api?.close() })

describe('GET /v1/benchmarks/{id}/report', () => {
  it('answers a self-contained HTML report of the measured runs', async () => {
    const response = await api.app.request(`/v1/benchmarks/${benchmarkId}/report`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const page = await response.text()
    expect(page).toMatch(/^<!DOCTYPE html>/)
    expect(page).toContain('<h1>report &lt;floor&gt;</h1>')
    const runs = (await (await api.app.request(`/v1/benchmarks/${benchmarkId}/runs`)).json() as { items: { id: string; summary: { accuracy: number } }[] }).items
    // The majority baseline's accuracy, as the results table prints it.
    expect(page).toContain(`${(runs[1]!.summary.accuracy * 100).toFixed(2)}%`)
    expect(page).toContain('Accuracy vs peak memory')
  })

  it('links the banking rubric to its appendix in the same page, so the link works in the copy the API serves', async () => {
    const page = await (await api.app.request(`/v1/benchmarks/${benchmarkId}/report`)).text()
    // Both baselines deploy a classifier: the rubric section is there, and its link is an anchor into the page.
    expect(page).toContain('<h2>Banking rubric</h2>')
    expect(page).toContain('href="#rubric-doc"')
    expect(page).toContain('<section id="rubric-doc">')
    expect(page).not.toContain('../docs/rubrics.md')
    // The appendix is docs/rubrics.md: its headings, tables and the judge's prompt.
    expect(page).toContain('<h2>Appendix: the banking rubric</h2>')
    expect(page).toMatch(/<h4>Security score \(0-10\)<\/h4>/)
    expect(page).toContain('<code>noPiiInLogs</code>')
  })

  it('is a 404 problem for an unknown benchmark', async () => {
    const problem = await readProblem(await api.app.request('/v1/benchmarks/bm_nope/report'))
    expect(problem.body).toMatchObject({ status: 404, detail: "benchmark 'bm_nope' does not exist" })
  })
})

describe('GET /v1/benchmarks/{id}/report.pdf', () => {
  // Printing needs Chromium (Debian: apt-get install chromium).
  it.skipIf(!findChromium())('answers the report as a PDF', async () => {
    const response = await api.app.request(`/v1/benchmarks/${benchmarkId}/report.pdf`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-')
  })

  it('is a 503 problem that says how to fix it when there is no Chromium', async () => {
    const previous = process.env.BANKBENCH_CHROMIUM
    process.env.BANKBENCH_CHROMIUM = '/nonexistent/chromium'
    try {
      const problem = await readProblem(await api.app.request(`/v1/benchmarks/${benchmarkId}/report.pdf`))
      expect(problem.contentType).toBe('application/problem+json')
      expect(problem.body).toMatchObject({ status: 503, type: 'https://bankbench.dev/problems/unavailable', detail: expect.stringMatching(/Chromium.*BANKBENCH_CHROMIUM/) })
    } finally {
      if (previous === undefined) delete process.env.BANKBENCH_CHROMIUM
      else process.env.BANKBENCH_CHROMIUM = previous
    }
  })
})
