import { html, type SafeHtml } from './html'

export interface Column<Row> {
  title: string
  cell: (row: Row) => string | SafeHtml
  /** Right-aligned, tabular figures. */
  numeric?: boolean
}

/** A table with one row per item; numeric columns align on the right. */
export function table<Row>(columns: Column<Row>[], rows: readonly Row[], options: { className?: string } = {}): SafeHtml {
  const alignment = (column: Column<Row>) => (column.numeric ? 'num' : null)
  return html`<table class="${options.className ?? ''}">
<thead><tr>${columns.map((column) => html`<th class="${alignment(column)}">${column.title}</th>`)}</tr></thead>
<tbody>
${rows.map((row) => html`<tr>${columns.map((column) => html`<td class="${alignment(column)}">${column.cell(row)}</td>`)}</tr>\n`)}</tbody>
</table>`
}

/** A titled part of the report; `id` links it from the contents. */
export interface ReportSection {
  id: string
  title: string
  body: SafeHtml
}

export function section(id: string, title: string, ...parts: (SafeHtml | null)[]): ReportSection {
  return { id, title, body: html`${parts.map((part) => part && html`${part}\n`)}` }
}

/** A chart with its caption. */
export function figure(chart: SafeHtml, caption: string): SafeHtml {
  return html`<figure>${chart}<figcaption>${caption}</figcaption></figure>`
}
