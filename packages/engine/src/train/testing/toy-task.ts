import * as tf from '@tensorflow/tfjs'
import { seededRandom } from '@bankbench/data'
import type { EvaluationMetrics } from '../checkpoint'
import type { TrainingTask } from '../trainer'

/** A point of a toy 3-class problem; `length` stands in for a token count. */
export interface ToyExample {
  features: number[]
  label: number
  length: number
}

const FEATURES = 4
const CLASSES = 3
const HIDDEN = 8

/** Three well-separated Gaussian clusters in 4 dimensions. */
export function toyExamples(count: number, seed: number): ToyExample[] {
  const random = seededRandom(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return Array.from({ length: count }, (_, index) => {
    const label = index % CLASSES
    const features = Array.from({ length: FEATURES }, (_, dimension) => (dimension === label ? 2 : 0) + 0.7 * normal())
    return { features, label, length: 1 + Math.floor(random() * 30) }
  })
}

/**
 * A 2-layer MLP classifier made of plain tf.variables, named like HF layers so that
 * the weight-decay exemptions apply. `dispose()` frees its variables.
 */
export function toyTask(options: { initSeed: number; trainCount?: number; evaluate?: TrainingTask<ToyExample>['evaluate'] }) {
  const { initSeed } = options
  const variables = new Map<string, tf.Variable>([
    ['dense1.weight', tf.tidy(() => tf.variable(tf.randomNormal([FEATURES, HIDDEN], 0, 0.5, 'float32', initSeed)))],
    ['dense1.bias', tf.tidy(() => tf.variable(tf.zeros([HIDDEN])))],
    ['dense2.weight', tf.tidy(() => tf.variable(tf.randomNormal([HIDDEN, CLASSES], 0, 0.5, 'float32', initSeed + 1)))],
    ['dense2.bias', tf.tidy(() => tf.variable(tf.zeros([CLASSES])))],
  ])
  const parameter = (name: string): tf.Variable => variables.get(name)!
  const logitsOf = (batch: readonly ToyExample[]): tf.Tensor2D => {
    const inputs = tf.tensor2d(batch.map((example) => example.features))
    const hidden = tf.relu(inputs.matMul(parameter('dense1.weight')).add(parameter('dense1.bias')))
    return hidden.matMul(parameter('dense2.weight')).add(parameter('dense2.bias')) as tf.Tensor2D
  }
  const lossOf = (batch: readonly ToyExample[]): tf.Scalar =>
    tf.losses.softmaxCrossEntropy(tf.oneHot(batch.map((example) => example.label), CLASSES), logitsOf(batch)) as tf.Scalar

  const validation = toyExamples(60, 999)
  const evaluateValidation = async (): Promise<EvaluationMetrics> => {
    const [predicted, loss] = tf.tidy(() => [logitsOf(validation).argMax(1), lossOf(validation)])
    const predictions = await predicted!.data()
    const lossValue = (await loss!.data())[0]!
    tf.dispose([predicted!, loss!])
    const correct = validation.filter((example, index) => predictions[index] === example.label).length
    return { accuracy: correct / validation.length, loss: lossValue }
  }

  const task: TrainingTask<ToyExample> = {
    variables,
    trainExamples: toyExamples(options.trainCount ?? 96, 7),
    exampleLength: (example) => example.length,
    loss: (batch) => lossOf(batch),
    evaluate: options.evaluate ?? evaluateValidation,
  }
  return { task, dispose: () => tf.dispose([...variables.values()]) }
}

/** Variable values as plain arrays, for exact comparisons. */
export function readVariables(variables: Map<string, tf.Variable>): Record<string, number[]> {
  return Object.fromEntries([...variables].map(([name, variable]) => [name, [...variable.dataSync()]]))
}
