import type { SequenceClassifier } from '../../models'
import type { PeftMethod } from '../types'
import { ia3ConfigSchema } from './config'
import type { Ia3Config } from './config'
import { applyIa3, feedforwardModules, modulesToSave, targetLayers, targetModules } from './model'

/** Fields of PEFT's IA3Config this engine does not implement; an adapter that sets them cannot load here. */
const UNSUPPORTED_WHEN_SET = ['exclude_modules', 'layers_to_transform', 'layers_pattern']

/** "all-linear" as PEFT saves it: resolved to the adapted layers' name suffixes. */
function resolvedTargets(model: SequenceClassifier, config: Ia3Config): string | string[] {
  const targets = targetModules(model, config)
  return targets === 'all-linear' ? [...new Set(targetLayers(model, config).map((name) => name.split('.').at(-1)!))].sort() : targets
}

export const ia3: PeftMethod<Ia3Config> = {
  name: 'ia3',
  configSchema: ia3ConfigSchema,
  apply: applyIa3,
  adapterFormat: {
    peftType: 'IA3',
    toAdapterConfig: (model, config) => ({
      target_modules: resolvedTargets(model, config),
      feedforward_modules: feedforwardModules(model, config),
      fan_in_fan_out: config.fan_in_fan_out,
      modules_to_save: modulesToSave(model, config),
      init_ia3_weights: config.init_ia3_weights,
    }),
    fromAdapterConfig: (json) => {
      for (const field of UNSUPPORTED_WHEN_SET) {
        if (json[field] != null) throw new Error(`adapter_config.json sets ${field}, which this engine does not support for IA3`)
      }
      const fields = ['target_modules', 'feedforward_modules', 'fan_in_fan_out', 'modules_to_save', 'init_ia3_weights'].filter((field) => json[field] !== undefined)
      return ia3ConfigSchema.parse(Object.fromEntries(fields.map((field) => [field, json[field]])))
    },
  },
}

export { ia3ConfigSchema, DEFAULT_TARGET_MODULES as IA3_DEFAULT_TARGET_MODULES, DEFAULT_FEEDFORWARD_MODULES as IA3_DEFAULT_FEEDFORWARD_MODULES } from './config'
export type { Ia3Config } from './config'
export { Ia3Layer } from './layer'
export { mergeIa3, unmergeIa3, isFeedforward, targetLayers as ia3TargetLayers } from './model'
