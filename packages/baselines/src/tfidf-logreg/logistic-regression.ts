import type { CsrMatrix } from './sparse'
import { minimizeLbfgs, type LbfgsResult } from './lbfgs'

/**
 * Multinomial (softmax) logistic regression on sparse rows, the estimator behind
 * scikit-learn's LogisticRegression(multi_class='multinomial', solver='lbfgs').
 *
 * Parameters live in one Float64Array: the weight matrix feature-major (feature j's
 * class weights are the contiguous block [j*K, j*K+K), so one sparse entry touches one
 * cache-friendly run), followed by K intercepts.
 */
export interface SoftmaxProblem {
  features: CsrMatrix
  /** The class index of each row. */
  targets: Int32Array
  classCount: number
  /**
   * L2 strength on the mean loss: objective = mean cross-entropy + l2/2 * ||W||^2.
   * scikit-learn's C corresponds to l2 = 1 / (C * rows); intercepts are not penalised.
   */
  l2: number
}

export function parameterCount(featureCount: number, classCount: number): number {
  return (featureCount + 1) * classCount
}

/** Mean cross-entropy plus the L2 penalty at `parameters`; writes the gradient into `gradient`. */
export function softmaxLossAndGradient(problem: SoftmaxProblem, parameters: Float64Array, gradient: Float64Array): number {
  const { features, targets, classCount, l2 } = problem
  const { rowStarts, columns, values } = features
  const weightCount = features.columnCount * classCount
  const rowCount = features.rowCount
  const logits = new Float64Array(classCount)
  gradient.fill(0)
  let loss = 0

  for (let row = 0; row < rowCount; row++) {
    const start = rowStarts[row]!
    const end = rowStarts[row + 1]!
    for (let k = 0; k < classCount; k++) logits[k] = parameters[weightCount + k]!
    for (let entry = start; entry < end; entry++) {
      const value = values[entry]!
      const base = columns[entry]! * classCount
      for (let k = 0; k < classCount; k++) logits[k]! += value * parameters[base + k]!
    }

    let largest = -Infinity
    for (let k = 0; k < classCount; k++) largest = Math.max(largest, logits[k]!)
    let sum = 0
    for (let k = 0; k < classCount; k++) sum += Math.exp(logits[k]! - largest)
    const logNormalizer = largest + Math.log(sum)
    const target = targets[row]!
    loss += logNormalizer - logits[target]!

    // d(loss)/d(logit_k) = softmax_k - [k = target], averaged over rows; reuse `logits`.
    for (let k = 0; k < classCount; k++) logits[k] = Math.exp(logits[k]! - logNormalizer) / rowCount
    logits[target]! -= 1 / rowCount
    for (let entry = start; entry < end; entry++) {
      const value = values[entry]!
      const base = columns[entry]! * classCount
      for (let k = 0; k < classCount; k++) gradient[base + k]! += value * logits[k]!
    }
    for (let k = 0; k < classCount; k++) gradient[weightCount + k]! += logits[k]!
  }

  let squaredNorm = 0
  for (let index = 0; index < weightCount; index++) {
    const weight = parameters[index]!
    squaredNorm += weight * weight
    gradient[index]! += l2 * weight
  }
  return loss / rowCount + 0.5 * l2 * squaredNorm
}

export interface SoftmaxTrainingOptions {
  maxIterations: number
  onIteration?: (iteration: number, loss: number, parameters: Float64Array) => void
}

/** Fits the weights from zero with L-BFGS; deterministic (full batch, fixed summation order). */
export function fitSoftmaxRegression(problem: SoftmaxProblem, options: SoftmaxTrainingOptions): LbfgsResult {
  const start = new Float64Array(parameterCount(problem.features.columnCount, problem.classCount))
  return minimizeLbfgs((parameters, gradient) => softmaxLossAndGradient(problem, parameters, gradient), start, {
    maxIterations: options.maxIterations,
    historySize: 10,
    gradientTolerance: 1e-6,
    relativeDecreaseTolerance: 1e-7,
    onIteration: options.onIteration,
  })
}

/** A fitted model: Float32 parameters, so that what is saved is exactly what predicts. */
export class SoftmaxModel {
  constructor(readonly parameters: Float32Array, readonly featureCount: number, readonly classCount: number) {
    if (parameters.length !== parameterCount(featureCount, classCount)) {
      throw new Error(`SoftmaxModel: expected ${parameterCount(featureCount, classCount)} parameters, got ${parameters.length}`)
    }
  }

  /** The most probable class of each row and its probability. */
  predict(features: CsrMatrix): { classIndex: number; probability: number }[] {
    const { rowStarts, columns, values } = features
    const { parameters, classCount } = this
    const weightCount = this.featureCount * classCount
    const logits = new Float64Array(classCount)
    const predictions: { classIndex: number; probability: number }[] = []
    for (let row = 0; row < features.rowCount; row++) {
      for (let k = 0; k < classCount; k++) logits[k] = parameters[weightCount + k]!
      for (let entry = rowStarts[row]!; entry < rowStarts[row + 1]!; entry++) {
        const value = values[entry]!
        const base = columns[entry]! * classCount
        for (let k = 0; k < classCount; k++) logits[k]! += value * parameters[base + k]!
      }
      let best = 0
      for (let k = 1; k < classCount; k++) if (logits[k]! > logits[best]!) best = k
      let sum = 0
      for (let k = 0; k < classCount; k++) sum += Math.exp(logits[k]! - logits[best]!)
      predictions.push({ classIndex: best, probability: 1 / sum })
    }
    return predictions
  }
}
