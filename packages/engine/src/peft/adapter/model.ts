/** How bottleneck adapters walk a model: one adapter per site and layer, the rest frozen. */
import * as tf from '@tensorflow/tfjs'
import type { SequenceClassifier } from '../../models'
import { freezeAll, parameterCounts, parametersInside, trainableVariables } from '../trainable'
import type { AppliedPeft, ApplyOptions } from '../types'
import { resolveAdapterConfig } from './config'
import type { AdapterConfig } from './config'
import { BottleneckAdapter } from './layer'

/** AdapterHub needs a name per adapter; one adapter per model here. */
const ADAPTER_NAME = 'default'

/**
 * Where each AdapterHub location lies in one transformer layer: the projection whose
 * output the adapter reads (`linear`) and the module AdapterHub hangs it on (`module`,
 * which names the saved weights). Pfeiffer uses the output adapter only.
 */
interface Site {
  linear: string
  module: string
}

const LAYOUTS: Record<string, { layers: string; attention: Site; output: Site }> = {
  bert: { layers: 'bert.encoder.layer', attention: { linear: 'attention.output.dense', module: 'attention.output' }, output: { linear: 'output.dense', module: 'output' } },
  roberta: { layers: 'roberta.encoder.layer', attention: { linear: 'attention.output.dense', module: 'attention.output' }, output: { linear: 'output.dense', module: 'output' } },
  distilbert: { layers: 'distilbert.transformer.layer', attention: { linear: 'attention.out_lin', module: 'attention_adapters' }, output: { linear: 'ffn.lin2', module: 'output_adapters' } },
  // Llama: after the attention output projection and after the SwiGLU down projection,
  // each before its residual add (Llama normalises before, not after, each block).
  llama: { layers: 'model.layers', attention: { linear: 'self_attn.o_proj', module: 'self_attn' }, output: { linear: 'mlp.down_proj', module: 'mlp' } },
}

export interface AdapterSite {
  /** The projection the adapter wraps, e.g. `bert.encoder.layer.0.output.dense`. */
  linear: string
  /** Prefix of the adapter's weights, e.g. `bert.encoder.layer.0.output.adapters.default`. */
  weights: string
}

/** Every adapter the config places in this model, in layer order. */
export function adapterSites(model: SequenceClassifier, config: AdapterConfig): AdapterSite[] {
  const layout = LAYOUTS[model.config.modelType]
  if (!layout) throw new Error(`bottleneck adapters support bert, roberta, distilbert and llama, not ${model.config.modelType}`)
  const sites = config.adapter_type === 'houlsby' ? [layout.attention, layout.output] : [layout.output]
  return Array.from({ length: model.config.numHiddenLayers }, (_, i) => `${layout.layers}.${i}`).flatMap((layer) =>
    sites.map((site) => ({ linear: `${layer}.${site.linear}`, weights: `${layer}.${site.module}.adapters.${ADAPTER_NAME}` })))
}

export function applyAdapters(model: SequenceClassifier, config: AdapterConfig, { seed }: ApplyOptions): AppliedPeft<AdapterConfig> {
  if (model.adapters.size > 0 || model.attentionPrefix) throw new Error('model already has adapters: apply bottleneck adapters to a freshly created model')
  const hiddenSize = model.config.hiddenSize
  const { bottleneck, nonLinearity } = resolveAdapterConfig(config, hiddenSize)
  freezeAll(model)
  const adapterWeights = new Map<string, tf.Variable>()
  adapterSites(model, config).forEach((site, index) => {
    // Down: AdapterHub's "bert" init, N(0, 0.02) and zero bias. Up: zeros, so the adapter starts as the identity.
    const weights = {
      downWeight: variableFrom(tf.randomNormal([bottleneck, hiddenSize], 0, 0.02, 'float32', seed * 100_003 + index)),
      downBias: variableFrom(tf.zeros([bottleneck])),
      upWeight: variableFrom(tf.zeros([hiddenSize, bottleneck])),
      upBias: variableFrom(tf.zeros([hiddenSize])),
    }
    const names = [
      [`${site.weights}.adapter_down.0.weight`, weights.downWeight], [`${site.weights}.adapter_down.0.bias`, weights.downBias],
      [`${site.weights}.adapter_up.weight`, weights.upWeight], [`${site.weights}.adapter_up.bias`, weights.upBias],
    ] as const
    for (const [name, variable] of names) {
      model.parameters.set(name, variable)
      adapterWeights.set(name, variable)
    }
    model.adapters.set(site.linear, new BottleneckAdapter(weights, nonLinearity, config.dropout))
  })
  // AdapterHub's train_adapter trains the adapters and the prediction head.
  for (const name of parametersInside(model, model.headModules)) adapterWeights.set(name, model.weight(name))
  for (const variable of adapterWeights.values()) variable.trainable = true
  return { method: 'adapter', config, trainableVariables: trainableVariables(model), adapterWeights, parameterCounts: parameterCounts(model) }
}

/** A trainable variable holding `values` (which it takes over). */
function variableFrom(values: tf.Tensor): tf.Variable {
  const variable = tf.variable(values, true)
  values.dispose()
  return variable
}
