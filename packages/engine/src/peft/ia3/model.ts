/** How IA3 walks a model: pick the target layers, give each a scaling vector, freeze the rest. */
import * as tf from '@tensorflow/tfjs'
import type { SequenceClassifier } from '../../models'
import { freezeAll, matchTargetLayers, parameterCounts, parametersInside, trainableVariables } from '../trainable'
import type { AppliedPeft, ApplyOptions } from '../types'
import { DEFAULT_FEEDFORWARD_MODULES, DEFAULT_TARGET_MODULES } from './config'
import type { Ia3Config } from './config'
import { Ia3Layer } from './layer'

/** modules_to_save as given plus the classification head, as PeftModelForSequenceClassification does. */
export function modulesToSave(model: SequenceClassifier, config: Ia3Config): string[] {
  return [...new Set([...(config.modules_to_save ?? []), ...model.headModules])]
}

/** target_modules, or PEFT's default for the model type when it is null (PEFT refuses a type it has no default for). */
export function targetModules(model: SequenceClassifier, config: Ia3Config): string | string[] {
  const targets = config.target_modules ?? DEFAULT_TARGET_MODULES[model.config.modelType]
  if (!targets) throw new Error(`IA3 has no default target_modules for ${model.config.modelType} models (nor has PEFT): set target_modules`)
  return targets
}

/** feedforward_modules, or PEFT's default for the model type when it is null. */
export function feedforwardModules(model: SequenceClassifier, config: Ia3Config): string | string[] {
  const modules = config.feedforward_modules ?? DEFAULT_FEEDFORWARD_MODULES[model.config.modelType]
  if (!modules) throw new Error(`IA3 has no default feedforward_modules for ${model.config.modelType} models (nor has PEFT): set feedforward_modules`)
  return modules
}

/**
 * The linear layers IA3 adapts, with PEFT's matching rules: a string is a regular
 * expression matched against the whole name; a list entry matches a name equal to
 * it or ending with "." + it. Layers inside modules_to_save train in full instead.
 */
export function targetLayers(model: SequenceClassifier, config: Ia3Config): string[] {
  const targets = targetModules(model, config)
  const saved = modulesToSave(model, config)
  return matchTargetLayers(model, targets, saved, 'IA3')
}

/** Whether a target layer scales its input: PEFT's `_check_target_module_feedforward` (a plain endswith for lists). */
export function isFeedforward(model: SequenceClassifier, config: Ia3Config, layer: string): boolean {
  const modules = feedforwardModules(model, config)
  if (typeof modules === 'string') return new RegExp(`^(?:${modules})$`).test(layer)
  return modules.some((module) => layer.endsWith(module))
}

export function applyIa3(model: SequenceClassifier, config: Ia3Config, { seed }: ApplyOptions): AppliedPeft<Ia3Config> {
  if (config.fan_in_fan_out) throw new Error('IA3 fan_in_fan_out must be false: encoder linear weights are stored [out, in] like torch.nn.Linear')
  if (model.adapters.size > 0) throw new Error('model already has adapters: apply IA3 to a freshly created model')
  const layers = targetLayers(model, config)
  freezeAll(model)
  const adapterWeights = new Map<string, tf.Variable>()
  layers.forEach((layer, index) => {
    const weight = model.weight(`${layer}.weight`)
    const [outFeatures, inFeatures] = weight.shape as [number, number]
    const feedforward = isFeedforward(model, config, layer)
    const shape: [number, number] = feedforward ? [1, inFeatures] : [outFeatures, 1]
    const initial = config.init_ia3_weights ? tf.ones(shape) : tf.randomNormal(shape, 0, 1, 'float32', seed * 100_003 + index)
    const ia3L = tf.variable(initial, true)
    initial.dispose()
    // PEFT's key has no `.weight`: ia3_l is a ParameterDict entry, saved as `….key.ia3_l`.
    model.parameters.set(`${layer}.ia3_l`, ia3L)
    adapterWeights.set(`${layer}.ia3_l`, ia3L)
    model.adapters.set(layer, new Ia3Layer(weight, model.parameters.get(`${layer}.bias`), ia3L, feedforward))
  })
  for (const name of parametersInside(model, modulesToSave(model, config))) adapterWeights.set(name, model.weight(name))
  for (const variable of adapterWeights.values()) variable.trainable = true
  return { method: 'ia3', config, trainableVariables: trainableVariables(model), adapterWeights, parameterCounts: parameterCounts(model) }
}

function ia3Layers(model: SequenceClassifier): Ia3Layer[] {
  return [...model.adapters.values()].filter((adapter): adapter is Ia3Layer => adapter instanceof Ia3Layer)
}

/** Folds every IA3 vector into its layer's weight (and bias, for output scaling). */
export function mergeIa3(model: SequenceClassifier): void {
  for (const layer of ia3Layers(model)) layer.merge()
}

/** Undoes mergeIa3. */
export function unmergeIa3(model: SequenceClassifier): void {
  for (const layer of ia3Layers(model)) layer.unmerge()
}
