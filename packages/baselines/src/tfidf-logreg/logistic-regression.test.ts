import { seededRandom } from '@bankbench/data'
import { describe, expect, it } from 'vitest'
import { minimizeLbfgs } from './lbfgs'
import { fitSoftmaxRegression, parameterCount, SoftmaxModel, softmaxLossAndGradient, type SoftmaxProblem } from './logistic-regression'
import { csrFromRows } from './sparse'

// Four sparse rows over four features, three classes.
const problem: SoftmaxProblem = {
  features: csrFromRows([
    { columns: [0, 2], values: [0.6, 0.8] },
    { columns: [1], values: [1] },
    { columns: [2, 3], values: [0.5, -1.5] },
    { columns: [], values: [] },
  ], 4),
  targets: Int32Array.from([0, 1, 2, 1]),
  classCount: 3,
  l2: 0.3,
}

describe('softmaxLossAndGradient', () => {
  it('matches central finite differences', () => {
    const random = seededRandom(5)
    const parameters = Float64Array.from({ length: parameterCount(4, 3) }, () => random() * 2 - 1)
    const gradient = new Float64Array(parameters.length)
    softmaxLossAndGradient(problem, parameters, gradient)

    const step = 1e-6
    const scratch = new Float64Array(parameters.length)
    for (let index = 0; index < parameters.length; index++) {
      const shifted = Float64Array.from(parameters)
      shifted[index]! += step
      const above = softmaxLossAndGradient(problem, shifted, scratch)
      shifted[index]! -= 2 * step
      const below = softmaxLossAndGradient(problem, shifted, scratch)
      expect(gradient[index]).toBeCloseTo((above - below) / (2 * step), 7)
    }
  })

  it('is ln(classes) at zero weights', () => {
    const parameters = new Float64Array(parameterCount(4, 3))
    expect(softmaxLossAndGradient(problem, parameters, new Float64Array(parameters.length))).toBeCloseTo(Math.log(3), 12)
  })
})

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const rosenbrock = (point: Float64Array, gradient: Float64Array): number => {
      const [x, y] = [point[0]!, point[1]!]
      gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x)
      gradient[1] = 200 * (y - x * x)
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2
    }
    const result = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), {
      maxIterations: 200, historySize: 5, gradientTolerance: 1e-8, relativeDecreaseTolerance: 0,
    })
    expect(result.converged).toBe(true)
    expect(result.point[0]).toBeCloseTo(1, 5)
    expect(result.point[1]).toBeCloseTo(1, 5)
  })
})

describe('fitSoftmaxRegression', () => {
  it('drives the gradient to zero and predicts the training classes', () => {
    const result = fitSoftmaxRegression({ ...problem, l2: 0.01 }, { maxIterations: 200, threads: 1 })
    const gradient = new Float64Array(result.point.length)
    softmaxLossAndGradient({ ...problem, l2: 0.01 }, result.point, gradient)
    expect(Math.max(...gradient.map(Math.abs))).toBeLessThan(1e-4)
    const model = new SoftmaxModel(Float32Array.from(result.point), 4, 3)
    expect(model.predict(problem.features).map((prediction) => prediction.classIndex)).toEqual([0, 1, 2, 1])
  })
})
