import type { CsrMatrix } from './sparse'

/**
 * The objective of multinomial (softmax) logistic regression on sparse rows
 * (logistic-regression.ts): its loss and gradient, whole or for a range of rows. Its
 * own module because both the estimator and the gradient worker threads
 * (parallel-objective.ts, gradient-worker.ts) need it; importing it creates no cycle.
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
  gradient.fill(0)
  const lossSum = accumulateRowLosses(problem, 0, problem.features.rowCount, parameters, gradient)
  return lossSum / problem.features.rowCount + addL2Penalty(problem, parameters, gradient)
}

/**
 * The data term for rows [firstRow, endRow): adds each row's cross-entropy gradient,
 * already divided by the total row count, into `gradient` and returns the rows' summed
 * loss. Split across threads, the partial gradients simply add up.
 */
export function accumulateRowLosses(problem: SoftmaxProblem, firstRow: number, endRow: number, parameters: Float64Array, gradient: Float64Array): number {
  const { features, targets, classCount } = problem
  const { rowStarts, columns, values } = features
  const weightCount = features.columnCount * classCount
  const rowShare = 1 / features.rowCount
  const logits = new Float64Array(classCount)
  const unrolledEnd = classCount - (classCount % 4)
  let lossSum = 0

  for (let row = firstRow; row < endRow; row++) {
    const start = rowStarts[row]!
    const end = rowStarts[row + 1]!
    for (let k = 0; k < classCount; k++) logits[k] = parameters[weightCount + k]!
    // The two hot loops are unrolled by hand: V8 does not vectorise, and four independent
    // updates per pass took about 1.3x less CPU than one (each element still sums in order).
    for (let entry = start; entry < end; entry++) {
      const value = values[entry]!
      const base = columns[entry]! * classCount
      let k = 0
      for (; k < unrolledEnd; k += 4) {
        logits[k]! += value * parameters[base + k]!
        logits[k + 1]! += value * parameters[base + k + 1]!
        logits[k + 2]! += value * parameters[base + k + 2]!
        logits[k + 3]! += value * parameters[base + k + 3]!
      }
      for (; k < classCount; k++) logits[k]! += value * parameters[base + k]!
    }

    let largest = -Infinity
    for (let k = 0; k < classCount; k++) largest = Math.max(largest, logits[k]!)
    let sum = 0
    for (let k = 0; k < classCount; k++) sum += Math.exp(logits[k]! - largest)
    const logNormalizer = largest + Math.log(sum)
    const target = targets[row]!
    lossSum += logNormalizer - logits[target]!

    // d(loss)/d(logit_k) = softmax_k - [k = target], averaged over rows; reuse `logits`.
    for (let k = 0; k < classCount; k++) logits[k] = Math.exp(logits[k]! - logNormalizer) * rowShare
    logits[target]! -= rowShare
    for (let entry = start; entry < end; entry++) {
      const value = values[entry]!
      const base = columns[entry]! * classCount
      let k = 0
      for (; k < unrolledEnd; k += 4) {
        gradient[base + k]! += value * logits[k]!
        gradient[base + k + 1]! += value * logits[k + 1]!
        gradient[base + k + 2]! += value * logits[k + 2]!
        gradient[base + k + 3]! += value * logits[k + 3]!
      }
      for (; k < classCount; k++) gradient[base + k]! += value * logits[k]!
    }
    for (let k = 0; k < classCount; k++) gradient[weightCount + k]! += logits[k]!
  }
  return lossSum
}

/** Adds l2 * W to the weight gradient (not the intercepts) and returns l2/2 * ||W||^2. */
export function addL2Penalty(problem: SoftmaxProblem, parameters: Float64Array, gradient: Float64Array): number {
  const weightCount = problem.features.columnCount * problem.classCount
  let squaredNorm = 0
  for (let index = 0; index < weightCount; index++) {
    const weight = parameters[index]!
    squaredNorm += weight * weight
    gradient[index]! += problem.l2 * weight
  }
  return 0.5 * problem.l2 * squaredNorm
}
