/** Freezing and counting: the part every PEFT method shares. */
import type * as tf from '@tensorflow/tfjs'
import type { SequenceClassifier } from '../models'
import type { ParameterCounts } from './types'

export function freezeAll(model: SequenceClassifier): void {
  for (const variable of model.parameters.values()) variable.trainable = false
}

export function trainableVariables(model: SequenceClassifier): tf.Variable[] {
  return [...model.parameters.values()].filter((variable) => variable.trainable)
}

export function parameterCounts(model: SequenceClassifier): ParameterCounts {
  return { trainable: model.countParameters('trainable'), total: model.countParameters('all') }
}

/**
 * Whether a parameter or module lies in one of `modules`, with PEFT's modules_to_save
 * rule: a module is saved when its name ends with an entry (a plain suffix, so
 * `classifier` also catches `pre_classifier`), together with everything inside it.
 */
export function isInsideModules(name: string, modules: readonly string[]): boolean {
  const parts = name.split('.')
  for (let length = 1; length <= parts.length; length++) {
    const ancestor = parts.slice(0, length).join('.')
    if (modules.some((module) => ancestor.endsWith(module))) return true
  }
  return false
}

/** Parameter names inside the given modules, in model order. */
export function parametersInside(model: SequenceClassifier, modules: readonly string[]): string[] {
  return [...model.parameters.keys()].filter((name) => isInsideModules(name, modules))
}

/**
 * PEFT's target_modules matching, shared by the methods that wrap linear layers: a
 * string is a regular expression matched against the whole name ('all-linear' takes
 * every linear layer); a list entry matches a name equal to it or ending with "." + it.
 * Layers inside modules_to_save (`saved`) train in full instead.
 */
export function matchTargetLayers(model: SequenceClassifier, targets: string | string[], saved: readonly string[], method: string): string[] {
  const matches = (name: string) => {
    if (targets === 'all-linear') return true
    if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(name)
    return targets.some((target) => name === target || name.endsWith(`.${target}`))
  }
  const layers = model.linearLayerNames().filter((name) => matches(name) && !isInsideModules(name, saved))
  if (layers.length === 0) {
    throw new Error(`${method} target_modules ${JSON.stringify(targets)} match no linear layer of this ${model.config.modelType} model; its layers are named like ${model.linearLayerNames()[0]}`)
  }
  return layers
}
