/** The report's stylesheet: inline, print-friendly (A4, charts never split across pages). */
export const REPORT_CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #222; max-width: 190mm; margin: 0 auto; padding: 16px; }
h1 { font-size: 18pt; margin: 0 0 4px; }
h2 { font-size: 13.5pt; border-bottom: 2px solid #4c78a8; padding-bottom: 2px; margin: 22px 0 8px; break-after: avoid; }
h3 { font-size: 11pt; margin: 14px 0 6px; break-after: avoid; }
code { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: 0.85em; background: #f4f4f4; padding: 0 2px; border-radius: 2px; overflow-wrap: break-word; }
.sd { color: #777; font-size: 0.9em; }
.subtitle { color: #555; margin: 0 0 12px; }
.note { color: #666; font-size: 9pt; }
nav ol { columns: 2; margin: 4px 0; padding-left: 20px; font-size: 9.5pt; }
nav a { color: #4c78a8; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 8.5pt; }
table.compact { font-size: 7pt; }
table.criteria { font-size: 8pt; }
table.compact th, table.compact td { padding: 2px 3px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #f2f5f9; font-weight: 600; }
tr { break-inside: avoid; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; font-size: 9.5pt; }
dl.facts dt { font-weight: 600; color: #444; }
dl.facts dd { margin: 0; }
dl.answers dt { font-weight: 600; margin-top: 6px; }
dl.answers dd { margin: 2px 0 6px 16px; }
figure { margin: 8px 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #555; margin-top: 2px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.pareto { flex: 1 1 320px; max-width: 340px; }
.pass { color: #1a7f37; font-weight: 700; }
.fail { color: #c62828; font-weight: 700; }
.unknown { color: #888; }
.na { color: #888; font-style: italic; }
.verdict { border-left: 4px solid; padding: 6px 10px; margin: 8px 0; background: #fafafa; break-inside: avoid; }
.verdict.pass { border-color: #1a7f37; color: inherit; font-weight: normal; }
.verdict.fail { border-color: #c62828; color: inherit; font-weight: normal; }
.verdict ul { margin: 4px 0 0; padding-left: 18px; }
.status.succeeded { color: #1a7f37; }
.status.failed, .status.cancelled { color: #c62828; }
footer { margin-top: 24px; font-size: 8.5pt; color: #777; }
`
