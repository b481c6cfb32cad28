/**
 * Entity (slot) scores at span level, the seqeval convention (`seqeval.metrics`
 * f1_score / classification_report, default mode): a predicted entity counts only when
 * its type and both boundaries equal a gold entity's; micro scores pool every entity,
 * macro scores average the per-type scores over every type that occurs in the gold or
 * the predictions (a type never gold but predicted scores 0 and pulls the macro down);
 * a ratio with a zero denominator is 0 (seqeval's zero_division default, with a warning
 * there). Spans are half-open character or token ranges; the unit only has to agree.
 */

export interface EntitySpan {
  type: string
  start: number
  end: number
}

export interface EntityTypeScore {
  type: string
  precision: number
  recall: number
  f1: number
  /** Gold entities of this type. */
  support: number
  /** Predicted entities of this type. */
  predicted: number
}

export interface SpanF1Report {
  microPrecision: number
  microRecall: number
  microF1: number
  macroPrecision: number
  macroRecall: number
  macroF1: number
  /** Per type, sorted by type name (seqeval's order). */
  perType: EntityTypeScore[]
  goldEntities: number
  predictedEntities: number
  correctEntities: number
}

/**
 * @param gold one array of entities per text
 * @param predicted one array per text, aligned with `gold`
 */
export function spanF1(gold: readonly (readonly EntitySpan[])[], predicted: readonly (readonly EntitySpan[])[]): SpanF1Report {
  if (gold.length !== predicted.length) throw new Error(`spanF1: ${gold.length} gold texts but ${predicted.length} predicted`)
  const goldCount = new Map<string, number>()
  const predictedCount = new Map<string, number>()
  const correctCount = new Map<string, number>()
  const bump = (counts: Map<string, number>, type: string) => counts.set(type, (counts.get(type) ?? 0) + 1)
  gold.forEach((goldSpans, text) => {
    // A set per text: seqeval compares sets of (type, start, end), so a duplicate counts once.
    const goldKeys = new Set(goldSpans.map(spanKey))
    const predictedKeys = new Set(predicted[text]!.map(spanKey))
    for (const key of goldKeys) bump(goldCount, typeOf(key))
    for (const key of predictedKeys) {
      bump(predictedCount, typeOf(key))
      if (goldKeys.has(key)) bump(correctCount, typeOf(key))
    }
  })
  const types = [...new Set([...goldCount.keys(), ...predictedCount.keys()])].sort()
  const perType = types.map((type): EntityTypeScore => {
    const support = goldCount.get(type) ?? 0
    const predictedEntities = predictedCount.get(type) ?? 0
    return { type, ...scores(correctCount.get(type) ?? 0, predictedEntities, support), support, predicted: predictedEntities }
  })
  const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, value) => total + value, 0)
  const goldEntities = sum(goldCount)
  const predictedEntities = sum(predictedCount)
  const correctEntities = sum(correctCount)
  const micro = scores(correctEntities, predictedEntities, goldEntities)
  const mean = (field: 'precision' | 'recall' | 'f1') => (perType.length === 0 ? 0 : perType.reduce((total, score) => total + score[field], 0) / perType.length)
  return {
    microPrecision: micro.precision,
    microRecall: micro.recall,
    microF1: micro.f1,
    macroPrecision: mean('precision'),
    macroRecall: mean('recall'),
    macroF1: mean('f1'),
    perType,
    goldEntities,
    predictedEntities,
    correctEntities,
  }
}

function scores(correct: number, predicted: number, gold: number) {
  const precision = predicted === 0 ? 0 : correct / predicted
  const recall = gold === 0 ? 0 : correct / gold
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) }
}

function spanKey(span: EntitySpan): string {
  return `${span.start}\u0001${span.end}\u0001${span.type}`
}

function typeOf(key: string): string {
  return key.slice(key.indexOf('\u0001', key.indexOf('\u0001') + 1) + 1)
}

/**
 * Entities from a BIO tag sequence, as seqeval's `get_entities` reads one (default,
 * lenient mode, same as conlleval): `B-x` starts an entity, `I-x` continues one of the
 * same type and otherwise starts a new one (an I- after O or after another type is not
 * dropped), and anything else ends it. Returns half-open [start, end) tag indices.
 */
export function bioToSpans(tags: readonly string[]): EntitySpan[] {
  const spans: EntitySpan[] = []
  let open: EntitySpan | undefined
  const close = (end: number) => {
    if (open) spans.push({ ...open, end })
    open = undefined
  }
  tags.forEach((tag, index) => {
    if (!/^[BI]-./.test(tag)) {
      close(index)
      return
    }
    const prefix = tag[0]
    const type = tag.slice(2)
    if (prefix === 'B' || !open || open.type !== type) {
      close(index)
      open = { type, start: index, end: index + 1 }
    }
  })
  close(tags.length)
  return spans
}
