import { minimizeLbfgs, type LbfgsResult } from './lbfgs'
import { createSoftmaxObjective } from './parallel-objective'
import { parameterCount, softmaxLossAndGradient, type SoftmaxProblem } from './softmax-loss'
import type { CsrMatrix } from './sparse'

/**
 * Multinomial (softmax) logistic regression on sparse rows, the estimator behind
 * scikit-learn's LogisticRegression(multi_class='multinomial', solver='lbfgs'): the
 * loss and its gradient are in softmax-loss.ts, shared with the gradient worker
 * threads (parallel-objective.ts), which import it and not this module.
 */
export { parameterCount, softmaxLossAndGradient, type SoftmaxProblem }

export interface SoftmaxTrainingOptions {
  maxIterations: number
  /**
   * Threads that compute the gradient (the main one plus workers). Problems under
   * PARALLEL_MIN_WORK multiply-adds per evaluation use one: starting a worker costs
   * about a second. Results are bit-identical for a given thread count.
   */
  threads: number
  onIteration?: (iteration: number, loss: number, parameters: Float64Array) => void
}

/** Non-zeros times classes per evaluation above which worker threads pay for their start-up. */
export const PARALLEL_MIN_WORK = 20_000_000

/** Fits the weights from zero with L-BFGS; deterministic (full batch, fixed summation order). */
export function fitSoftmaxRegression(problem: SoftmaxProblem, options: SoftmaxTrainingOptions): LbfgsResult {
  const work = problem.features.rowStarts[problem.features.rowCount]! * problem.classCount
  const objective = createSoftmaxObjective(problem, work >= PARALLEL_MIN_WORK ? options.threads : 1)
  try {
    const start = new Float64Array(parameterCount(problem.features.columnCount, problem.classCount))
    return minimizeLbfgs(objective.evaluate, start, {
      maxIterations: options.maxIterations,
      historySize: 10,
      gradientTolerance: 1e-6,
      relativeDecreaseTolerance: 1e-7,
      onIteration: options.onIteration,
    })
  } finally {
    objective.close()
  }
}

/** A fitted model: Float32 parameters, so that what is saved is exactly what predicts. */
export class SoftmaxModel {
  constructor(readonly parameters: Float32Array, readonly featureCount: number, readonly classCount: number) {
    if (parameters.length !== parameterCount(featureCount, classCount)) {
      throw new Error(`SoftmaxModel: expected ${parameterCount(featureCount, classCount)} parameters, got ${parameters.length}`)
    }
  }

  /** The most probable class of each row and its probability; with `scores`, every class's probability too (class order). */
  predict(features: CsrMatrix, options: { scores?: boolean } = {}): { classIndex: number; probability: number; scores?: number[] }[] {
    const { rowStarts, columns, values } = features
    const { parameters, classCount } = this
    const weightCount = this.featureCount * classCount
    const logits = new Float64Array(classCount)
    const predictions: { classIndex: number; probability: number; scores?: number[] }[] = []
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
      predictions.push({
        classIndex: best,
        probability: 1 / sum,
        ...(options.scores && { scores: Array.from(logits, (logit) => Math.exp(logit - logits[best]!) / sum) }),
      })
    }
    return predictions
  }
}
