/**
 * Bottleneck adapter settings. PEFT has no bottleneck adapters: names and defaults
 * follow AdapterHub (`adapters`), whose SeqBnConfig is Pfeiffer's placement and
 * DoubleSeqBnConfig Houlsby's.
 */
import { z } from 'zod'

export const adapterConfigSchema = z.strictObject({
  adapter_type: z.enum(['houlsby', 'pfeiffer']).default('houlsby').describe(
    'houlsby: an adapter after the attention output projection and one after the feed-forward output projection; pfeiffer: after the feed-forward only.'),
  hidden_size: z.number().int().positive().max(16_384).nullable().default(null).describe(
    'Bottleneck width. null: the model\'s hidden size / reduction_factor, as AdapterHub sizes it.'),
  reduction_factor: z.number().positive().max(1024).default(16).describe('AdapterHub\'s sizing: bottleneck width = hidden size / reduction_factor (used when hidden_size is null).'),
  non_linearity: z.enum(['relu', 'gelu', 'swish', 'tanh']).nullable().default(null).describe(
    'Between the down- and up-projection. null: AdapterHub\'s default for the adapter_type (houlsby swish, pfeiffer relu).'),
  dropout: z.number().min(0).lt(1).default(0).describe('Dropout on the adapter\'s output before its residual, while training.'),
})

export type AdapterConfig = z.output<typeof adapterConfigSchema>

export type NonLinearity = NonNullable<AdapterConfig['non_linearity']>

/** The settings with AdapterHub's defaults resolved for a model of this hidden size. */
export function resolveAdapterConfig(config: AdapterConfig, modelHiddenSize: number): { bottleneck: number; nonLinearity: NonLinearity } {
  return {
    bottleneck: config.hidden_size ?? Math.max(1, Math.floor(modelHiddenSize / config.reduction_factor)),
    nonLinearity: config.non_linearity ?? (config.adapter_type === 'houlsby' ? 'swish' : 'relu'),
  }
}
