/**
 * A tagged template that escapes every interpolated value unless it is already
 * markup (`SafeHtml`, made by `html` itself or by `trustedHtml` for SVG the chart
 * renderer produced). Report text comes from the database, where run names and
 * configurations are user input: escaping by default keeps it from becoming markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

type Interpolation = SafeHtml | string | number | null | undefined | false | readonly Interpolation[]

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(out)
}

/** Marks markup produced by trusted code (the SVG of a chart) as safe to embed. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup)
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}
