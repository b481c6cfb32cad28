/**
 * The ONNX Runtime peer of the inference benches, run in the bench's own process: the
 * engine's classifier exported with `exportOnnx` (same weights, LoRA folded) and served
 * by `OnnxIntentClassifier` (same tokenizer, truncation and padding), plus the table
 * the benches print it in.
 */
import { exportOnnx, type IntentClassifier } from '@bankbench/engine'
import { OnnxIntentClassifier, onnxRuntimeVersion } from '@bankbench/engine/onnx-runtime'

export { onnxRuntimeVersion }

/** The classifier as ORT serves it, at `threads` intra-op threads; `release()` it when done. */
export async function onnxPeer(classifier: IntentClassifier, threads: number): Promise<OnnxIntentClassifier> {
  return OnnxIntentClassifier.create(exportOnnx(classifier.model), classifier.tokenizer, classifier.labels, classifier.maxLength, { threads })
}

/** A column's header, and the short name its ratio column uses. */
export interface Column {
  name: string
  short: string
}

export interface RatioRow {
  measure: string
  /** One figure per column, the peer's last. */
  values: number[]
  digits: number
}

/**
 * | measure | column… | peer | column / peer… |: every column against the last one, which
 * is the peer. Ratios above 1x mean the column is slower (every measure here is in ms).
 */
export function printRatioTable(columns: Column[], peer: Column, rows: RatioRow[]): void {
  const header = ['', ...columns.map((column) => column.name), peer.name, ...columns.map((column) => `${column.short} / ${peer.short}`)]
  const table = rows.map(({ measure, values, digits }) => {
    const peerValue = values[values.length - 1]!
    const own = values.slice(0, -1)
    return [measure, ...values.map((value) => value.toFixed(digits)), ...own.map((value) => `${(value / peerValue).toFixed(2)}x`)]
  })
  const widths = header.map((cell, index) => Math.max(cell.length, ...table.map((cells) => cells[index]!.length)))
  const render = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`
  console.log(`\n${render(header)}\n|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  for (const cells of table) console.log(render(cells))
  console.log('')
}
