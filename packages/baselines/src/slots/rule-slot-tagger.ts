/**
 * The slot-filling baseline: regular expressions for money, dates and times
 * (patterns.ts) plus a gazetteer of every slot value seen in training (names,
 * companies, shopping categories, and any value the patterns miss), matched whole-word
 * and case-insensitively. Overlaps are settled longest match first, as a lexer does.
 * A date or time right after "from/since/between" becomes the `_from` slot and one after
 * "to/until/and" following such a start the `_to` slot, when the type set has them.
 */
import { RANGE_END, RANGE_START, SLOT_PATTERNS } from './patterns'
import type { SlotFamily } from './patterns'

export interface SlotSpan {
  type: string
  start: number
  end: number
}

export interface SlotExample {
  text: string
  spans: readonly SlotSpan[]
}

interface Candidate extends SlotSpan {
  /** Patterns outrank the gazetteer on equal length: they were written for these shapes. */
  priority: number
}

export class RuleSlotTagger {
  readonly method = 'rules-gazetteer'

  private constructor(
    private readonly slotTypes: ReadonlySet<string>,
    /** Lowercased value → slot type (the type it had most often in training). */
    private readonly gazetteer: ReadonlyMap<string, string>,
  ) {}

  /** Builds the gazetteer from training utterances; `slotTypes` limits what it may output. */
  static fit(train: readonly SlotExample[], slotTypes: readonly string[]): RuleSlotTagger {
    const counts = new Map<string, Map<string, number>>()
    for (const { text, spans } of train) {
      for (const span of spans) {
        const value = text.slice(span.start, span.end).toLowerCase().trim()
        // Bare numbers and single characters would fire everywhere: the patterns cover numbers in context.
        if (value.length < 2 || /^\d+$/.test(value)) continue
        const byType = counts.get(value) ?? new Map<string, number>()
        byType.set(span.type, (byType.get(span.type) ?? 0) + 1)
        counts.set(value, byType)
      }
    }
    const gazetteer = new Map([...counts].map(([value, byType]) => [value, [...byType].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]]))
    return new RuleSlotTagger(new Set(slotTypes), gazetteer)
  }

  get gazetteerSize(): number {
    return this.gazetteer.size
  }

  /** What a run stores: the slot types and the gazetteer (the patterns are code). `fromJSON` restores it exactly. */
  toJSON(): { method: string; version: 1; slotTypes: string[]; gazetteer: [string, string][] } {
    return { method: this.method, version: 1, slotTypes: [...this.slotTypes], gazetteer: [...this.gazetteer] }
  }

  static fromJSON(json: ReturnType<RuleSlotTagger['toJSON']>): RuleSlotTagger {
    if (json.method !== 'rules-gazetteer' || json.version !== 1) throw new Error(`not a rules-gazetteer slot tagger (method ${json.method}, version ${json.version})`)
    return new RuleSlotTagger(new Set(json.slotTypes), new Map(json.gazetteer))
  }

  predict(texts: readonly string[]): SlotSpan[][] {
    return texts.map((text) => this.tag(text))
  }

  private tag(text: string): SlotSpan[] {
    const candidates: Candidate[] = []
    for (const { family, regex } of SLOT_PATTERNS) {
      for (const match of text.matchAll(regex)) {
        const value = match.groups?.value
        const start = value === undefined ? match.index : match.index + match[0].lastIndexOf(value)
        const end = start + (value ?? match[0]).length
        const type = this.typeFor(family, text.slice(0, start), candidates)
        if (type) candidates.push({ type, start, end, priority: 1 })
      }
    }
    const lower = text.toLowerCase()
    for (const [value, type] of this.gazetteer) {
      if (!this.slotTypes.has(type)) continue
      for (let at = lower.indexOf(value); at !== -1; at = lower.indexOf(value, at + 1)) {
        if (isWordBoundary(lower, at - 1) && isWordBoundary(lower, at + value.length)) candidates.push({ type, start: at, end: at + value.length, priority: 0 })
      }
    }
    // Longest first, then pattern over gazetteer, then leftmost; keep those that overlap nothing kept.
    candidates.sort((a, b) => (b.end - b.start) - (a.end - a.start) || b.priority - a.priority || a.start - b.start)
    const kept: SlotSpan[] = []
    for (const candidate of candidates) {
      if (kept.some((span) => candidate.start < span.end && span.start < candidate.end)) continue
      kept.push({ type: candidate.type, start: candidate.start, end: candidate.end })
    }
    return kept.sort((a, b) => a.start - b.start)
  }

  private typeFor(family: SlotFamily, before: string, earlier: readonly Candidate[]): string | undefined {
    const pick = (...types: string[]) => types.find((type) => this.slotTypes.has(type))
    switch (family) {
      case 'amount': return pick('amount_of_money', 'amount')
      case 'date_period': return pick('date_period')
      case 'time_period': return pick('time_period')
      case 'date':
      case 'time': {
        const hasStart = earlier.some((candidate) => candidate.type === `${family}_from`)
        if (RANGE_START.test(before)) return pick(`${family}_from`, family)
        if (hasStart && RANGE_END.test(before)) return pick(`${family}_to`, family)
        return pick(family)
      }
    }
  }
}

function isWordBoundary(text: string, index: number): boolean {
  return index < 0 || index >= text.length || !/[\p{L}\p{N}]/u.test(text[index]!)
}
