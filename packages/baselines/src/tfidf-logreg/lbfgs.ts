/**
 * Limited-memory BFGS (Nocedal & Wright, "Numerical Optimization", algorithm 7.4/7.5)
 * with a backtracking Armijo line search: a full-batch quasi-Newton method that needs
 * only the gradient and converges on smooth convex problems in a few hundred steps.
 */

/** Writes the gradient at `point` into `gradient` and returns the objective value. */
export type Objective = (point: Float64Array, gradient: Float64Array) => number

export interface LbfgsOptions {
  /** Upper bound on iterations (line searches). */
  maxIterations: number
  /** How many recent (step, gradient change) pairs approximate the inverse Hessian. */
  historySize: number
  /** Stop once the largest gradient component is at most this. */
  gradientTolerance: number
  /** Stop once an iteration lowers the objective by less than this fraction of its value. */
  relativeDecreaseTolerance: number
  /** Called after each accepted step, e.g. to log a loss curve; `point` is live, copy it to keep it. */
  onIteration?: (iteration: number, value: number, point: Float64Array) => void
}

export interface LbfgsResult {
  point: Float64Array
  value: number
  iterations: number
  /** True when a tolerance was met rather than the iteration limit or a failed line search. */
  converged: boolean
}

const ARMIJO_SUFFICIENT_DECREASE = 1e-4
const BACKTRACK_FACTOR = 0.5
const MAX_BACKTRACKS = 30

export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const size = start.length
  let point = Float64Array.from(start)
  let gradient = new Float64Array(size)
  let value = objective(point, gradient)
  let candidate = new Float64Array(size)
  let candidateGradient = new Float64Array(size)
  const direction = new Float64Array(size)
  const steps: Float64Array[] = []
  const gradientChanges: Float64Array[] = []
  const curvatures: number[] = []
  const alphas = new Float64Array(options.historySize)

  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    if (maxAbs(gradient) <= options.gradientTolerance) return { point, value, iterations: iteration - 1, converged: true }

    // Two-loop recursion: direction = -H * gradient, H the implicit inverse-Hessian estimate.
    direction.set(gradient)
    for (let pair = steps.length - 1; pair >= 0; pair--) {
      alphas[pair] = dot(steps[pair]!, direction) / curvatures[pair]!
      axpy(-alphas[pair]!, gradientChanges[pair]!, direction)
    }
    const latest = steps.length - 1
    // Without history, scale the first step so that it moves the point by about 1.
    const initialScale = latest >= 0
      ? curvatures[latest]! / dot(gradientChanges[latest]!, gradientChanges[latest]!)
      : 1 / Math.sqrt(dot(gradient, gradient))
    scale(initialScale, direction)
    for (let pair = 0; pair < steps.length; pair++) {
      const beta = dot(gradientChanges[pair]!, direction) / curvatures[pair]!
      axpy(alphas[pair]! - beta, steps[pair]!, direction)
    }
    scale(-1, direction)

    const slope = dot(gradient, direction)
    let stepLength = 1
    let candidateValue = Infinity
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack++) {
      for (let index = 0; index < size; index++) candidate[index] = point[index]! + stepLength * direction[index]!
      candidateValue = objective(candidate, candidateGradient)
      if (candidateValue <= value + ARMIJO_SUFFICIENT_DECREASE * stepLength * slope) break
      stepLength *= BACKTRACK_FACTOR
    }
    if (!(candidateValue < value)) return { point, value, iterations: iteration - 1, converged: false }

    // Keep the pair only if it has positive curvature, which keeps H positive definite.
    // Once the history is full, the oldest pair's buffers are reused for the newest
    // (a rejected pair then simply leaves the history one pair shorter).
    const full = steps.length === options.historySize
    const step = full ? steps.shift()! : new Float64Array(size)
    const gradientChange = full ? gradientChanges.shift()! : new Float64Array(size)
    if (full) curvatures.shift()
    for (let index = 0; index < size; index++) {
      step[index] = candidate[index]! - point[index]!
      gradientChange[index] = candidateGradient[index]! - gradient[index]!
    }
    const curvature = dot(step, gradientChange)
    if (curvature > 1e-12 * dot(gradientChange, gradientChange)) {
      steps.push(step)
      gradientChanges.push(gradientChange)
      curvatures.push(curvature)
    }

    const decrease = value - candidateValue
    ;[point, candidate] = [candidate, point]
    ;[gradient, candidateGradient] = [candidateGradient, gradient]
    value = candidateValue
    options.onIteration?.(iteration, value, point)
    if (decrease <= options.relativeDecreaseTolerance * Math.max(Math.abs(value), 1)) {
      return { point, value, iterations: iteration, converged: true }
    }
  }
  return { point, value, iterations: options.maxIterations, converged: false }
}

function dot(left: Float64Array, right: Float64Array): number {
  let sum = 0
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!
  return sum
}

/** target += factor * source */
function axpy(factor: number, source: Float64Array, target: Float64Array): void {
  for (let index = 0; index < target.length; index++) target[index]! += factor * source[index]!
}

function scale(factor: number, target: Float64Array): void {
  for (let index = 0; index < target.length; index++) target[index]! *= factor
}

function maxAbs(values: Float64Array): number {
  let largest = 0
  for (const value of values) largest = Math.max(largest, Math.abs(value))
  return largest
}
