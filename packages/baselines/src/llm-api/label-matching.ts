/**
 * Maps a model's answer to one of the labels. Models asked for "the label only" still
 * wrap it: quotes, a trailing full stop, "Intent: card_arrival", spaces for
 * underscores, a JSON object. An answer that names no label exactly after that
 * normalisation is invalid and scored as wrong: guessing the nearest string would
 * credit the model with an answer it did not give.
 */

export interface LabelMatch {
  label: string | null
  how: 'exact' | 'normalised' | 'invalid'
}

export function matchLabel(answer: string, labels: readonly string[]): LabelMatch {
  if (labels.includes(answer)) return { label: answer, how: 'exact' }
  const byNormalised = new Map(labels.map((label) => [normalise(label), label]))
  for (const candidate of candidates(answer)) {
    const label = byNormalised.get(normalise(candidate))
    if (label !== undefined) return { label, how: 'normalised' }
  }
  return { label: null, how: 'invalid' }
}

/** Lowercase, with every run of non-letters/digits (spaces, hyphens, underscores, quotes, dots) as one underscore, trimmed. */
export function normalise(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '')
}

/** The whole answer, a JSON object's `label`, its first line, and that line after a "Label:"-style prefix. */
function candidates(answer: string): string[] {
  const trimmed = answer.trim()
  const found = [trimmed]
  const fromJson = jsonLabel(trimmed)
  if (fromJson !== null) found.push(fromJson)
  const firstLine = trimmed.split('\n')[0]!.trim()
  found.push(firstLine)
  const prefix = /^(?:label|intent|answer|category)\s*[:=-]\s*/i
  if (prefix.test(firstLine)) found.push(firstLine.replace(prefix, ''))
  return found
}

function jsonLabel(text: string): string | null {
  // Models often fence JSON in ```json … ``` even when asked not to.
  const unfenced = text.replace(/^```(?:json)?\s*|\s*```$/g, '')
  if (!unfenced.startsWith('{')) return null
  try {
    const parsed = JSON.parse(unfenced) as { label?: unknown }
    return typeof parsed.label === 'string' ? parsed.label : null
  } catch {
    return null
  }
}
