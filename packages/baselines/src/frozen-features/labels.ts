import type { DenseMatrix } from './dense'

/** Each row's class index in `labels`; refuses a label outside them or a count that does not match the rows. */
export function labelIndices(features: DenseMatrix, rowLabels: readonly string[], labels: readonly string[]): Int32Array {
  if (labels.length === 0) throw new Error('A baseline needs at least one label')
  if (rowLabels.length !== features.rows) throw new Error(`${features.rows} feature rows but ${rowLabels.length} labels`)
  const indexOf = new Map(labels.map((label, index) => [label, index]))
  return Int32Array.from(rowLabels, (label) => {
    const index = indexOf.get(label)
    if (index === undefined) throw new Error(`Training label "${label}" is not in the ${labels.length} labels given`)
    return index
  })
}
