export { renderReportHtml } from './html/document'
export { renderReportPdf, findChromium, chromiumSource, chromiumLaunch, ChromiumUnavailableError, DEFAULT_CHROMIUM, type ChromiumSource, type ChromiumLaunch } from './pdf'
export { loadReportData, type ReportData, type LossPoint } from './report-data'
export * from './format'
