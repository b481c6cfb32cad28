export { renderReportHtml } from './html/document'
export { renderReportPdf, findChromium, ChromiumUnavailableError, DEFAULT_CHROMIUM } from './pdf'
export { loadReportData, type ReportData, type LossPoint } from './report-data'
export * from './format'
