/** How LoRA walks a model: pick the target layers, wrap them, freeze the rest. */
import * as tf from '@tensorflow/tfjs'
import type { SequenceClassifier } from '../../models'
import { freezeAll, matchTargetLayers, parameterCounts, parametersInside, trainableVariables } from '../trainable'
import type { AppliedPeft, ApplyOptions } from '../types'
import { DEFAULT_TARGET_MODULES } from './config'
import type { LoraConfig } from './config'
import { LoraLayer } from './layer'

/** modules_to_save as given plus the classification head, as PeftModelForSequenceClassification does. */
export function modulesToSave(model: SequenceClassifier, config: LoraConfig): string[] {
  return [...new Set([...(config.modules_to_save ?? []), ...model.headModules])]
}

/** target_modules, or PEFT's default for the model type when it is null. */
export function targetModules(model: SequenceClassifier, config: LoraConfig): string | string[] {
  return config.target_modules ?? DEFAULT_TARGET_MODULES[model.config.modelType]!
}

/**
 * The linear layers LoRA adapts, with PEFT's matching rules: a string is a regular
 * expression matched against the whole name; a list entry matches a name equal to
 * it or ending with "." + it. Layers inside modules_to_save train in full instead.
 */
export function targetLayers(model: SequenceClassifier, config: LoraConfig): string[] {
  const saved = modulesToSave(model, config)
  const targets = targetModules(model, config)
  return matchTargetLayers(model, targets, saved, 'LoRA')
}

export function applyLora(model: SequenceClassifier, config: LoraConfig, { seed }: ApplyOptions): AppliedPeft<LoraConfig> {
  if (config.fan_in_fan_out) throw new Error('LoRA fan_in_fan_out must be false: encoder linear weights are stored [out, in] like torch.nn.Linear')
  if (model.adapters.size > 0) throw new Error('model already has adapters: apply LoRA to a freshly created model')
  const layers = targetLayers(model, config)
  freezeAll(model)
  const scaling = config.use_rslora ? config.lora_alpha / Math.sqrt(config.r) : config.lora_alpha / config.r
  const adapterWeights = new Map<string, tf.Variable>()
  layers.forEach((layer, index) => {
    const baseWeight = model.weight(`${layer}.weight`)
    const [outFeatures, inFeatures] = baseWeight.shape as [number, number]
    const loraA = variableFrom(initialA(config, [config.r, inFeatures], seed * 100_003 + 2 * index))
    const loraB = variableFrom(initialB(config, [outFeatures, config.r], seed * 100_003 + 2 * index + 1))
    for (const [name, variable] of [[`${layer}.lora_A.weight`, loraA], [`${layer}.lora_B.weight`, loraB]] as const) {
      model.parameters.set(name, variable)
      adapterWeights.set(name, variable)
    }
    model.adapters.set(layer, new LoraLayer(baseWeight, loraA, loraB, scaling, config.lora_dropout))
  })
  for (const [key, name] of trainedBiases(model, config, layers)) adapterWeights.set(key, model.weight(name))
  for (const name of parametersInside(model, modulesToSave(model, config))) adapterWeights.set(name, model.weight(name))
  for (const variable of adapterWeights.values()) variable.trainable = true
  return { method: 'lora', config, trainableVariables: trainableVariables(model), adapterWeights, parameterCounts: parameterCounts(model) }
}

/**
 * Biases that train under `bias`, as [PEFT key, parameter name]. PEFT keeps an adapted
 * layer's own weights under `base_layer`, so its bias is saved as `….base_layer.bias`.
 */
function trainedBiases(model: SequenceClassifier, config: LoraConfig, layers: string[]): Array<[string, string]> {
  if (config.bias === 'none') return []
  const adapted = new Set(layers)
  const biases = [...model.parameters.keys()].filter((name) => name.endsWith('.bias'))
  const layerOf = (name: string) => name.slice(0, -'.bias'.length)
  return biases
    .filter((name) => config.bias === 'all' || adapted.has(layerOf(name)))
    .map((name) => [adapted.has(layerOf(name)) ? `${layerOf(name)}.base_layer.bias` : name, name])
}

/** A trainable variable holding `values` (which it takes over). */
function variableFrom(values: tf.Tensor): tf.Variable {
  const variable = tf.variable(values, true)
  values.dispose()
  return variable
}

/** torch's kaiming_uniform_(a=√5) on a [rows, fanIn] weight: U(-1/√fanIn, 1/√fanIn), nn.Linear's default. */
function kaimingUniform(shape: [number, number], seed: number): tf.Tensor {
  const bound = 1 / Math.sqrt(shape[1])
  return tf.randomUniform(shape, -bound, bound, 'float32', seed)
}

function initialA(config: LoraConfig, shape: [number, number], seed: number): tf.Tensor {
  return config.init_lora_weights === 'gaussian' ? tf.randomNormal(shape, 0, 1 / config.r, 'float32', seed) : kaimingUniform(shape, seed)
}

function initialB(config: LoraConfig, shape: [number, number], seed: number): tf.Tensor {
  return config.init_lora_weights === false ? kaimingUniform(shape, seed) : tf.zeros(shape)
}

function loraLayers(model: SequenceClassifier): LoraLayer[] {
  return [...model.adapters.values()].filter((adapter): adapter is LoraLayer => adapter instanceof LoraLayer)
}

/** Folds every LoRA update into its base weight (W += scaling · B A). */
export function mergeLora(model: SequenceClassifier): void {
  for (const layer of loraLayers(model)) layer.merge()
}

/** Undoes mergeLora (W -= scaling · B A). */
export function unmergeLora(model: SequenceClassifier): void {
  for (const layer of loraLayers(model)) layer.unmerge()
}
