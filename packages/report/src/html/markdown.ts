/**
 * Markdown to HTML for the project's own documents embedded in a report (docs/rubrics.md as its
 * appendix): the subset they use, no more. Headings (shifted down so they nest under the report's
 * section heading), paragraphs, numbered and bulleted lists with indented continuation lines, block
 * quotes, pipe tables, fenced code, and inline code, bold, italic and links. Every piece of text is
 * escaped; the only markup is what this writes. HTML entities the source writes (`&lt;`) are kept as
 * the characters they stand for.
 */
import { escapeHtml } from './html'

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" }
const decodeEntities = (text: string) => text.replace(/&(?:lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity]!)

/** Inline markup: `code` first (its content is literal), then **bold**, *italic* and [text](url). */
export function renderInline(text: string): string {
  return decodeEntities(text).split(/(`[^`]+`)/).map((part) => {
    if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) return `<code>${escapeHtml(part.slice(1, -1))}</code>`
    return escapeHtml(part)
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?![*\w])/g, '$1<em>$2</em>')
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_match, label: string, href: string) => (/^(https?:|#)/.test(href) ? `<a href="${href}">${label}</a>` : `${label} (<code>${href}</code>)`))
  }).join('')
}

const tableCells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim())

/** Renders the document; `headingOffset` is added to each heading's level (at most h6). */
export function renderMarkdown(markdown: string, headingOffset = 0): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  const out: string[] = []
  let i = 0
  const isBlockStart = (line: string) => /^(#{1,6} |```|> ?|\||\d+\. |[-*] )/.test(line)
  while (i < lines.length) {
    const line = lines[i]!
    if (line.trim() === '') { i++; continue }
    const heading = /^(#{1,6}) (.*)$/.exec(line)
    if (heading) {
      const level = Math.min(6, heading[1]!.length + headingOffset)
      out.push(`<h${level}>${renderInline(heading[2]!)}</h${level}>`)
      i++
      continue
    }
    if (line.startsWith('```')) {
      const code: string[] = []
      i++
      while (i < lines.length && !lines[i]!.startsWith('```')) code.push(lines[i++]!)
      i++
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`)
      continue
    }
    if (line.startsWith('>')) {
      const quoted: string[] = []
      while (i < lines.length && lines[i]!.startsWith('>')) quoted.push(lines[i++]!.replace(/^> ?/, ''))
      out.push(`<blockquote><p>${renderInline(quoted.join(' '))}</p></blockquote>`)
      continue
    }
    if (line.startsWith('|')) {
      const rows: string[][] = []
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(tableCells(lines[i++]!))
      const [head, separator, ...body] = rows
      const hasHead = separator !== undefined && separator.every((cell) => /^:?-{3,}:?$/.test(cell))
      const bodyRows = hasHead ? body : rows
      out.push(`<table>${hasHead ? `<thead><tr>${head!.map((cell) => `<th>${renderInline(cell)}</th>`).join('')}</tr></thead>` : ''}`
        + `<tbody>${bodyRows.map((row) => `<tr>${row.map((cell) => `<td>${renderInline(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`)
      continue
    }
    const item = /^(\d+\.|[-*]) (.*)$/.exec(line)
    if (item) {
      const ordered = /\d/.test(item[1]!)
      const items: string[] = []
      while (i < lines.length) {
        const start = /^(\d+\.|[-*]) (.*)$/.exec(lines[i]!)
        if (start && /\d/.test(start[1]!) === ordered) { items.push(start[2]!); i++; continue }
        if (items.length > 0 && /^\s+\S/.test(lines[i]!)) { items[items.length - 1] += ` ${lines[i]!.trim()}`; i++; continue }
        break
      }
      const tag = ordered ? 'ol' : 'ul'
      out.push(`<${tag}>${items.map((text) => `<li>${renderInline(text)}</li>`).join('')}</${tag}>`)
      continue
    }
    const paragraph: string[] = []
    while (i < lines.length && lines[i]!.trim() !== '' && (paragraph.length === 0 || !isBlockStart(lines[i]!))) paragraph.push(lines[i++]!.trim())
    out.push(`<p>${renderInline(paragraph.join(' '))}</p>`)
  }
  return out.join('\n')
}
