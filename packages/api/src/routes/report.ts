import { ProblemError } from '@bankbench/core'
import { ChromiumUnavailableError, loadReportData, renderReportHtml, renderReportPdf } from '@bankbench/report'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { IdParams } from '../schemas/common'
import { problemResponses } from '../schemas/problem'

const CONTENTS = 'Methodology (dataset, splits, protocol, seeds, methods and grids), environment, the comparison matrix, each method\'s best configuration '
  + '(mean ± std over seeds), loss curves, Pareto plots of accuracy against memory, training time and trainable parameters, the LoRA rank curve when '
  + 'the benchmark swept ranks, the success criteria and the recommendations of the analysis.'

const htmlRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}/report',
  operationId: 'getBenchmarkReport',
  tags: ['benchmarks'],
  summary: 'The benchmark report as one self-contained HTML page',
  description: `${CONTENTS} Inline CSS and SVG charts, no scripts or external resources: it opens offline. Reflects the runs finished so far.`,
  request: { params: IdParams },
  responses: {
    200: { description: 'The report', content: { 'text/html': { schema: z.string().openapi({ example: '<!DOCTYPE html>…' }) } } },
    ...problemResponses(404),
  },
})

const pdfRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}/report.pdf',
  operationId: 'getBenchmarkReportPdf',
  tags: ['benchmarks'],
  summary: 'The benchmark report as an A4 PDF',
  description: 'The HTML report printed by headless Chromium. A 503 problem when this server has no Chromium (install it, or set BANKBENCH_CHROMIUM); the HTML report needs none.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The report', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...problemResponses(404, 503),
  },
})

export function reportRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(htmlRoute, async (c) => {
      const { db } = await getPlatform()
      const page = await renderReportHtml(await loadReportData(db, c.req.valid('param').id))
      return c.body(page, 200, { 'Content-Type': 'text/html; charset=utf-8' })
    })
    .openapi(pdfRoute, async (c) => {
      const { db } = await getPlatform()
      const { id } = c.req.valid('param')
      const page = await renderReportHtml(await loadReportData(db, id))
      const pdf = await renderReportPdf(page).catch((error: unknown) => {
        throw error instanceof ChromiumUnavailableError ? new ProblemError('unavailable', error.message) : error
      })
      return c.body(pdf, 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${id}.pdf"` })
    })
}
