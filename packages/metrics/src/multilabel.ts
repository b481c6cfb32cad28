/**
 * Multi-label classification scores (NLU++ intents: a message carries zero or more
 * intents). Micro scores pool every (text, label) decision, as scikit-learn's
 * f1_score(average='micro') over binarised label matrices does; macro scores average the
 * per-label scores over the labels given; a zero denominator counts as 0. Exact-set
 * accuracy (subset accuracy) is reported too, because micro-F1 alone hides how often a
 * whole message is right.
 */
export interface MultiLabelReport {
  microPrecision: number
  microRecall: number
  microF1: number
  macroF1: number
  /** Share of texts whose predicted label set equals the gold set. */
  subsetAccuracy: number
  perLabel: { label: string; precision: number; recall: number; f1: number; support: number }[]
}

export function multiLabelReport(gold: readonly (readonly string[])[], predicted: readonly (readonly string[])[], labels: readonly string[]): MultiLabelReport {
  if (gold.length !== predicted.length) throw new Error(`multiLabelReport: ${gold.length} gold texts but ${predicted.length} predicted`)
  const truePositives = new Map<string, number>()
  const goldCounts = new Map<string, number>()
  const predictedCounts = new Map<string, number>()
  const bump = (counts: Map<string, number>, label: string) => counts.set(label, (counts.get(label) ?? 0) + 1)
  let exact = 0
  gold.forEach((goldLabels, index) => {
    const goldSet = new Set(goldLabels)
    const predictedSet = new Set(predicted[index])
    for (const label of goldSet) bump(goldCounts, label)
    for (const label of predictedSet) {
      bump(predictedCounts, label)
      if (goldSet.has(label)) bump(truePositives, label)
    }
    if (goldSet.size === predictedSet.size && [...goldSet].every((label) => predictedSet.has(label))) exact++
  })
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator)
  const f1 = (precision: number, recall: number) => ratio(2 * precision * recall, precision + recall)
  const perLabel = labels.map((label) => {
    const precision = ratio(truePositives.get(label) ?? 0, predictedCounts.get(label) ?? 0)
    const recall = ratio(truePositives.get(label) ?? 0, goldCounts.get(label) ?? 0)
    return { label, precision, recall, f1: f1(precision, recall), support: goldCounts.get(label) ?? 0 }
  })
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, value) => sum + value, 0)
  const microPrecision = ratio(total(truePositives), total(predictedCounts))
  const microRecall = ratio(total(truePositives), total(goldCounts))
  return {
    microPrecision,
    microRecall,
    microF1: f1(microPrecision, microRecall),
    macroF1: perLabel.length === 0 ? 0 : perLabel.reduce((sum, entry) => sum + entry.f1, 0) / perLabel.length,
    subsetAccuracy: ratio(exact, gold.length),
    perLabel,
  }
}
