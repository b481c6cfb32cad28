/**
 * Full fine-tuning: every parameter trains. Learning rate and schedule are trainer
 * settings. The result is a whole checkpoint (io/checkpoint), not a PEFT adapter.
 */
import { z } from 'zod'
import type { PeftMethod } from '../types'
import { parameterCounts, trainableVariables } from '../trainable'

export const fullConfigSchema = z.strictObject({})

export type FullConfig = z.output<typeof fullConfigSchema>

export const full: PeftMethod<FullConfig> = {
  name: 'full',
  configSchema: fullConfigSchema,
  apply(model, config) {
    for (const variable of model.parameters.values()) variable.trainable = true
    return { method: 'full', config, trainableVariables: trainableVariables(model), adapterWeights: new Map(), parameterCounts: parameterCounts(model) }
  },
}
