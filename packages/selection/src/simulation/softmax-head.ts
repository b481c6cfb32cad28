import { fitSoftmaxRegression, parameterCount, type CsrMatrix } from '@bankbench/baselines'
import { seededRandom } from '@bankbench/data'
import { takeRows } from './sparse-rows'

export interface SoftmaxHeadOptions {
  /** Inverse L2 strength (scikit-learn's C) on the mean loss. */
  C: number
  /** L-BFGS iteration limit. */
  maxIterations: number
}

/**
 * The fast learner of the simulation: multinomial logistic regression on fixed
 * features (TF-IDF rows or a frozen encoder's embeddings), fitted from zero with the
 * baselines' L-BFGS each round. One thread: the fit is then bit-identical on every
 * machine and every run, which is what lets a resumed simulation end on the same curve.
 */
export class SoftmaxHead {
  private constructor(readonly parameters: Float64Array, readonly featureCount: number, readonly classCount: number) {}

  static fit(features: CsrMatrix, rows: readonly number[], targets: Int32Array, classCount: number, options: SoftmaxHeadOptions): SoftmaxHead {
    const subset = takeRows(features, rows)
    const result = fitSoftmaxRegression(
      { features: subset, targets: Int32Array.from(rows, (row) => targets[row]!), classCount, l2: 1 / (options.C * Math.max(rows.length, 1)) },
      { maxIterations: options.maxIterations, threads: 1 },
    )
    return new SoftmaxHead(result.point, features.columnCount, classCount)
  }

  get parameterCount(): number {
    return parameterCount(this.featureCount, this.classCount)
  }

  /**
   * Class probabilities of every row, row-major. With `dropout`, each non-zero input is
   * kept with probability 1 - rate and scaled by 1 / (1 - rate) (inverted dropout on the
   * head's input): one Monte-Carlo sample of the kind BALD averages over.
   */
  probabilities(features: CsrMatrix, dropout?: { rate: number; seed: number }): Float32Array {
    const { parameters, classCount } = this
    const weightCount = this.featureCount * classCount
    const output = new Float32Array(features.rowCount * classCount)
    const logits = new Float64Array(classCount)
    const random = dropout ? seededRandom(dropout.seed) : undefined
    const keep = dropout ? 1 - dropout.rate : 1
    for (let row = 0; row < features.rowCount; row++) {
      for (let k = 0; k < classCount; k++) logits[k] = parameters[weightCount + k]!
      for (let entry = features.rowStarts[row]!; entry < features.rowStarts[row + 1]!; entry++) {
        if (random && random() >= keep) continue
        const value = features.values[entry]! / keep
        const base = features.columns[entry]! * classCount
        for (let k = 0; k < classCount; k++) logits[k]! += value * parameters[base + k]!
      }
      let largest = -Infinity
      for (let k = 0; k < classCount; k++) largest = Math.max(largest, logits[k]!)
      let sum = 0
      for (let k = 0; k < classCount; k++) sum += Math.exp(logits[k]! - largest)
      for (let k = 0; k < classCount; k++) output[row * classCount + k] = Math.exp(logits[k]! - largest) / sum
    }
    return output
  }
}

/** The most probable class of each row of a row-major probability matrix. */
export function argmaxRows(probabilities: Float32Array, classCount: number): Int32Array {
  const rows = probabilities.length / classCount
  const predicted = new Int32Array(rows)
  for (let row = 0; row < rows; row++) {
    let best = 0
    for (let k = 1; k < classCount; k++) if (probabilities[row * classCount + k]! > probabilities[row * classCount + best]!) best = k
    predicted[row] = best
  }
  return predicted
}
