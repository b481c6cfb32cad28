import { decodeFloat32, encodeFloats } from '../encoding'
import { fitSoftmaxRegression, SoftmaxModel, parameterCount } from '../tfidf-logreg/logistic-regression'
import { assertSerialized, type Prediction, type PredictOptions, type SeedOption, type SerializedBaseline } from '../types'
import { assertColumns, columnStatistics, denseToCsr, standardize, type DenseMatrix, type FeatureClassifier } from './dense'
import { labelIndices } from './labels'

export interface LinearProbeOptions {
  /**
   * Inverse L2 strength, scikit-learn's C, on standardised features. Default 1
   * (scikit-learn's default): see README for the figures behind it.
   */
  C: number
  /** L-BFGS iteration limit. Default 200. */
  maxIterations: number
}

export const DEFAULT_LINEAR_PROBE_OPTIONS: LinearProbeOptions = { C: 1, maxIterations: 200 }

export interface LinearProbeTrainOptions extends SeedOption, Partial<LinearProbeOptions> {
  onIteration?: (iteration: number, loss: number) => void
}

interface SerializedLinearProbe extends SerializedBaseline {
  method: 'frozen-probe'
  options: LinearProbeOptions
  labels: string[]
  /** Float32 little-endian, base64: the standardisation, then the SoftmaxModel's parameters. */
  mean: string
  scale: string
  parameters: string
}

/**
 * The linear probe: multinomial logistic regression on standardised frozen features,
 * the same estimator and L-BFGS fit as the tfidf-logreg baseline (its sparse rows
 * simply hold every column). Deterministic: full batch from zero; the seed changes nothing.
 */
export class LinearProbe implements FeatureClassifier {
  readonly method = 'frozen-probe'

  private constructor(
    private readonly options: LinearProbeOptions,
    readonly labels: string[],
    private readonly mean: Float32Array,
    private readonly scale: Float32Array,
    private readonly model: SoftmaxModel,
  ) {}

  static train(features: DenseMatrix, rowLabels: readonly string[], labels: string[], trainOptions: LinearProbeTrainOptions): LinearProbe {
    const { seed: _seed, onIteration, ...overrides } = trainOptions
    const options = { ...DEFAULT_LINEAR_PROBE_OPTIONS, ...overrides }
    const targets = labelIndices(features, rowLabels, labels)
    const { mean, scale } = columnStatistics(features)
    const result = fitSoftmaxRegression(
      { features: denseToCsr(standardize(features, mean, scale)), targets, classCount: labels.length, l2: 1 / (options.C * Math.max(features.rows, 1)) },
      // Two threads, as tfidf-logreg: a fixed count keeps the bits the same on every machine (large problems only use them).
      { maxIterations: options.maxIterations, threads: 2, onIteration },
    )
    return new LinearProbe(options, labels.slice(), mean, scale, new SoftmaxModel(Float32Array.from(result.point), features.columns, labels.length))
  }

  static load(json: unknown): LinearProbe {
    assertSerialized<SerializedLinearProbe>(json, 'frozen-probe', 1)
    const mean = decodeFloat32(json.mean)
    return new LinearProbe(json.options, json.labels, mean, decodeFloat32(json.scale), new SoftmaxModel(decodeFloat32(json.parameters), mean.length, json.labels.length))
  }

  get parameterCount(): number {
    return parameterCount(this.mean.length, this.labels.length)
  }

  predict(features: DenseMatrix, options: PredictOptions = {}): Prediction[] {
    assertColumns(features, this.mean.length)
    return this.model.predict(denseToCsr(standardize(features, this.mean, this.scale)), options).map(({ classIndex, probability, scores }) => ({
      label: this.labels[classIndex]!,
      confidence: probability,
      ...(scores && { scores }),
    }))
  }

  toJSON(): SerializedLinearProbe {
    return {
      method: 'frozen-probe',
      version: 1,
      options: this.options,
      labels: this.labels,
      mean: encodeFloats(this.mean),
      scale: encodeFloats(this.scale),
      parameters: encodeFloats(this.model.parameters),
    }
  }
}
