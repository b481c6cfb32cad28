export interface LabelMetrics {
  label: string
  precision: number
  recall: number
  f1: number
  /** How many true examples of this label there are. */
  support: number
}

/** One non-zero cell of the confusion matrix. */
export interface ConfusionCell {
  actual: string
  predicted: string
  count: number
}

export interface ClassificationReport {
  accuracy: number
  macroF1: number
  macroPrecision: number
  macroRecall: number
  perLabel: LabelMetrics[]
  /** Sparse: only the cells with a count above zero, ordered by actual then predicted label. */
  confusion: ConfusionCell[]
}

/**
 * Accuracy, per-label and macro-averaged precision/recall/F1, and a sparse confusion
 * matrix. Macro averages run over every label in `labels`, including labels that never
 * occur; a ratio whose denominator is zero counts as 0 (scikit-learn's zero_division=0),
 * so a label that is never predicted scores precision 0 and F1 0.
 */
export function classificationReport(trueLabels: string[], predicted: string[], labels: string[]): ClassificationReport {
  if (trueLabels.length !== predicted.length) {
    throw new Error(`classificationReport: ${trueLabels.length} true labels but ${predicted.length} predictions`)
  }
  const indexOf = new Map(labels.map((label, index) => [label, index]))
  const labelIndex = (label: string): number => {
    const index = indexOf.get(label)
    if (index === undefined) throw new Error(`classificationReport: "${label}" is not one of the ${labels.length} labels`)
    return index
  }

  const size = labels.length
  const counts = new Float64Array(size * size)
  let correct = 0
  for (let row = 0; row < trueLabels.length; row++) {
    const actual = labelIndex(trueLabels[row]!)
    const guess = labelIndex(predicted[row]!)
    counts[actual * size + guess]! += 1
    if (actual === guess) correct++
  }

  const perLabel: LabelMetrics[] = labels.map((label, index) => {
    let support = 0
    let predictedCount = 0
    for (let other = 0; other < size; other++) {
      support += counts[index * size + other]!
      predictedCount += counts[other * size + index]!
    }
    const truePositives = counts[index * size + index]!
    const precision = safeRatio(truePositives, predictedCount)
    const recall = safeRatio(truePositives, support)
    return { label, precision, recall, f1: safeRatio(2 * precision * recall, precision + recall), support }
  })

  const confusion: ConfusionCell[] = []
  for (let actual = 0; actual < size; actual++) {
    for (let guess = 0; guess < size; guess++) {
      const count = counts[actual * size + guess]!
      if (count > 0) confusion.push({ actual: labels[actual]!, predicted: labels[guess]!, count })
    }
  }

  return {
    accuracy: safeRatio(correct, trueLabels.length),
    macroF1: mean(perLabel.map((metrics) => metrics.f1)),
    macroPrecision: mean(perLabel.map((metrics) => metrics.precision)),
    macroRecall: mean(perLabel.map((metrics) => metrics.recall)),
    perLabel,
    confusion,
  }
}

function safeRatio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length
}
