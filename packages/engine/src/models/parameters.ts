/**
 * Named parameters: what each architecture declares (modules and their tensors, under
 * HF checkpoint names), and how they become tf.Variables: loaded from a checkpoint
 * when present, otherwise initialised as HF's `_init_weights` does, from a seed.
 */
import * as tf from '@tensorflow/tfjs'
import { toFloat32 } from '../io/safetensors'
import type { NamedTensor } from '../io/safetensors'

type Initializer = 'normal' | 'zeros' | 'ones'

export interface ParameterSpec {
  name: string
  shape: number[]
  init: Initializer
  /** Embedding row kept at zero on initialisation (HF nn.Embedding padding_idx). */
  zeroRow?: number
}

export interface ModuleSpec {
  /** HF module name, e.g. `bert.encoder.layer.0.attention.self.query`. */
  name: string
  kind: 'linear' | 'layerNorm' | 'rmsNorm' | 'embedding'
  parameters: ParameterSpec[]
}

/** torch.nn.Linear: weight [out, in], bias [out] unless `bias: false` (Llama's projections have none). */
export function linearModule(name: string, inFeatures: number, outFeatures: number, { bias = true } = {}): ModuleSpec {
  const weight: ParameterSpec = { name: `${name}.weight`, shape: [outFeatures, inFeatures], init: 'normal' }
  return {
    name,
    kind: 'linear',
    parameters: bias ? [weight, { name: `${name}.bias`, shape: [outFeatures], init: 'zeros' }] : [weight],
  }
}

export function layerNormModule(name: string, size: number): ModuleSpec {
  return {
    name,
    kind: 'layerNorm',
    parameters: [
      { name: `${name}.weight`, shape: [size], init: 'ones' },
      { name: `${name}.bias`, shape: [size], init: 'zeros' },
    ],
  }
}

/** Llama's RMSNorm: a scale only, initialised to ones. */
export function rmsNormModule(name: string, size: number): ModuleSpec {
  return { name, kind: 'rmsNorm', parameters: [{ name: `${name}.weight`, shape: [size], init: 'ones' }] }
}

export function embeddingModule(name: string, rows: number, size: number, paddingRow?: number): ModuleSpec {
  return { name, kind: 'embedding', parameters: [{ name: `${name}.weight`, shape: [rows, size], init: 'normal', zeroRow: paddingRow }] }
}

export interface LoadReport {
  /** Parameters the checkpoint did not have, initialised instead (a new classifier head, typically). */
  initialized: string[]
  /** Checkpoint tensors no parameter used (an MLM head, position_ids buffers, ...). */
  unused: string[]
}

/**
 * Creates one tf.Variable per declared parameter (all trainable). Checkpoint tensors
 * are matched by name, also without the base-model prefix (a checkpoint saved from
 * `BertModel` has `embeddings.…` where `BertForSequenceClassification` has
 * `bert.embeddings.…`) and under the old LayerNorm names gamma/beta, as HF does.
 */
export function createParameters(
  modules: ModuleSpec[], basePrefix: string, initializerRange: number,
  weights: Map<string, NamedTensor> | undefined, seed: number,
): { parameters: Map<string, tf.Variable>; loadReport: LoadReport } {
  const parameters = new Map<string, tf.Variable>()
  const used = new Set<string>()
  const initialized: string[] = []
  const specs = modules.flatMap((module) => module.parameters)
  specs.forEach((spec, index) => {
    const key = weights && checkpointKeys(spec.name, basePrefix).find((candidate) => weights.has(candidate))
    let values: tf.Tensor
    if (key) {
      const tensor = weights.get(key)!
      if (tensor.shape.join(',') !== spec.shape.join(',')) {
        throw new Error(`checkpoint tensor ${key} has shape [${tensor.shape}], the model needs [${spec.shape}] for ${spec.name}: check config.json against the weights (num_labels for the classifier)`)
      }
      values = tf.tensor(toFloat32(tensor), spec.shape, 'float32')
      used.add(key)
    } else {
      // Distinct, reproducible streams per parameter: seeds never collide across (seed, index) pairs in practice.
      values = initialValues(spec, initializerRange, seed * 100_003 + index)
      initialized.push(spec.name)
    }
    parameters.set(spec.name, tf.variable(values, true))
    values.dispose()
  })
  const unused = weights ? [...weights.keys()].filter((key) => !used.has(key)) : []
  return { parameters, loadReport: { initialized, unused } }
}

function checkpointKeys(name: string, basePrefix: string): string[] {
  const withoutPrefix = name.startsWith(`${basePrefix}.`) ? [name.slice(basePrefix.length + 1)] : []
  const names = [name, ...withoutPrefix]
  const legacy = names.flatMap((candidate) =>
    candidate.includes('LayerNorm.') ? [candidate.replace(/\.weight$/, '.gamma').replace(/\.bias$/, '.beta')] : [])
  return [...names, ...legacy]
}

function initialValues(spec: ParameterSpec, initializerRange: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    switch (spec.init) {
      case 'zeros': return tf.zeros(spec.shape)
      case 'ones': return tf.ones(spec.shape)
      case 'normal': {
        const values = tf.randomNormal(spec.shape, 0, initializerRange, 'float32', seed)
        if (spec.zeroRow === undefined) return values
        const paddingRow = tf.oneHot(tf.tensor1d([spec.zeroRow], 'int32'), spec.shape[0]!).reshape([-1, 1])
        return values.mul(tf.scalar(1).sub(paddingRow))
      }
    }
  })
}
