import { writeFileSync } from 'node:fs'
import { renderReportHtml, renderReportPdf } from './packages/report/src/index'
import { sampleReportData } from './packages/report/src/testing/sample-report'
const t = Date.now()
const html = await renderReportHtml(sampleReportData())
console.log('html', html.length, Date.now() - t)
writeFileSync('/tmp/report-preview.html', html)
const pdf = await renderReportPdf(html)
writeFileSync('/tmp/report-preview.pdf', pdf)
console.log('pdf', pdf.length, Date.now() - t)
