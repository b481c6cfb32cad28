import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { toFloat32 } from '../io/safetensors'
import { AdamW, isBiasOrNormParameter } from './optimizer'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

function parameters(): Map<string, tf.Variable> {
  return new Map<string, tf.Variable>([
    ['dense.weight', tf.variable(tf.tensor2d([[0.5, -1.0], [2.0, 0.1]]))],
    ['dense.bias', tf.variable(tf.tensor1d([0.3, -0.2]))],
  ])
}

const gradientsPerStep = [
  { weight: [[0.1, -0.2], [0.3, 0.0]], bias: [0.5, -0.1], learningRate: 1e-3 },
  { weight: [[-0.05, 0.4], [0.2, 1e-4]], bias: [0.2, 0.3], learningRate: 5e-4 },
  { weight: [[1.0, -1.0], [0.5, 0.25]], bias: [-0.7, 0.05], learningRate: 2e-2 },
]

function applyStep(optimizer: AdamW, index: number): void {
  const { weight, bias, learningRate } = gradientsPerStep[index]!
  const gradients = new Map<string, tf.Tensor>([['dense.weight', tf.tensor2d(weight)], ['dense.bias', tf.tensor1d(bias)]])
  optimizer.step(gradients, learningRate)
  tf.dispose([...gradients.values()])
}

describe('AdamW', () => {
  it('first step: decays the weight, then moves every entry by lr·g/(|g|+ε)', () => {
    const variables = parameters()
    const optimizer = new AdamW(variables, { weightDecay: 0.1 })
    applyStep(optimizer, 0)
    // Bias corrections cancel on step 1: m̂ = g, √v̂ = |g|, so the Adam move is lr·g/(|g| + 1e-8).
    const lr = 1e-3
    const expectedWeight = [[0.5, -1.0], [2.0, 0.1]].flat().map((p, i) => {
      const g = [0.1, -0.2, 0.3, 0.0][i]!
      return p * (1 - lr * 0.1) - (lr * g) / (Math.abs(g) + 1e-8)
    })
    const expectedBias = [0.3 - lr, -0.2 + lr] // biases get no decay
    expectArrayClose(variables.get('dense.weight')!.dataSync(), expectedWeight, 1e-7)
    expectArrayClose(variables.get('dense.bias')!.dataSync(), expectedBias, 1e-7)
  })

  it('matches torch.optim.AdamW over three steps with changing learning rates', () => {
    // Generated with torch 1.13.1: AdamW(betas=(0.9, 0.999), eps=1e-8), weight_decay 0.1 on the weight, 0 on the bias.
    const variables = parameters()
    const optimizer = new AdamW(variables, { weightDecay: 0.1 })
    for (let step = 0; step < 3; step++) applyStep(optimizer, step)
    expectArrayClose(variables.get('dense.weight')!.dataSync(), [0.4846399128437042, -0.9876803159713745, 1.9750829935073853, 0.08663289994001389], 1e-6)
    expectArrayClose(variables.get('dense.bias')!.dataSync(), [0.3002149164676666, -0.20878984034061432], 1e-6)
    const slot = optimizer.getState().slots.get('dense.weight')!
    expect(slot.step).toBe(3)
    expectArrayClose(toFloat32(slot.firstMoment), [0.10360000282526016, -0.08020000159740448, 0.09229999780654907, 0.025009000673890114], 1e-7)
    expectArrayClose(toFloat32(slot.secondMoment), [0.001012477558106184, 0.0011997601250186563, 0.0003797801327891648, 6.250001024454832e-05], 1e-9)
  })

  it('continues identically from a saved state', () => {
    const straight = parameters()
    const straightOptimizer = new AdamW(straight, { weightDecay: 0.1 })
    for (let step = 0; step < 3; step++) applyStep(straightOptimizer, step)

    const first = parameters()
    const firstOptimizer = new AdamW(first, { weightDecay: 0.1 })
    applyStep(firstOptimizer, 0)
    const saved = firstOptimizer.getState()
    const resumed = parameters()
    for (const [name, variable] of resumed) variable.assign(first.get(name)!)
    const resumedOptimizer = new AdamW(resumed, { weightDecay: 0.1 })
    resumedOptimizer.setState(saved)
    applyStep(resumedOptimizer, 1)
    applyStep(resumedOptimizer, 2)

    for (const [name, variable] of straight) expect([...resumed.get(name)!.dataSync()]).toEqual([...variable.dataSync()])
  })

  it('holds two moment tensors per parameter and frees them on dispose', () => {
    const variables = parameters()
    const before = tf.memory().numTensors
    const optimizer = new AdamW(variables)
    applyStep(optimizer, 0)
    applyStep(optimizer, 1)
    expect(tf.memory().numTensors).toBe(before + 4)
    optimizer.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('isBiasOrNormParameter', () => {
  it('exempts biases and LayerNorm/RMSNorm weights, as the HF Trainer does', () => {
    const exempt = ['classifier.bias', 'bert.embeddings.LayerNorm.weight', 'bert.encoder.layer.0.output.LayerNorm.bias', 'model.layers.0.input_layernorm.weight', 'model.norm.weight']
    const decayed = ['classifier.weight', 'bert.encoder.layer.0.attention.self.query.weight', 'base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight', 'bert.embeddings.word_embeddings.weight']
    expect(exempt.filter(isBiasOrNormParameter)).toEqual(exempt)
    expect(decayed.filter(isBiasOrNormParameter)).toEqual([])
  })
})

function expectArrayClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length)
  expected.forEach((value, index) => expect(Math.abs(actual[index]! - value)).toBeLessThan(tolerance))
}
