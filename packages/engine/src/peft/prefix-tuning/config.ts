/** Prefix tuning settings, named and defaulted as in HF PEFT's PrefixTuningConfig. */
import { z } from 'zod'

const inferredSize = z.number().int().positive().nullable().default(null)

export const prefixTuningConfigSchema = z.strictObject({
  num_virtual_tokens: z.number().int().positive().max(512).default(20).describe(
    'P, the number of key/value positions prepended to every attention layer. PEFT has no default; 20 is the value of its examples.'),
  token_dim: inferredSize.describe('Width of one layer\'s keys (hidden size; with GQA, key/value heads × head size). null: from the model.'),
  num_transformer_submodules: z.literal(1).nullable().default(null).describe('1 for encoders and decoders (2 is for encoder-decoder models, not supported here).'),
  num_attention_heads: inferredSize.describe('Heads the prefixes are split into (key/value heads with GQA). null: from the model.'),
  num_layers: inferredSize.describe('Attention layers that get a prefix: all of them. null: from the model.'),
  encoder_hidden_size: z.number().int().positive().max(16_384).nullable().default(null).describe('Hidden width of the prefix_projection MLP. null: token_dim.'),
  prefix_projection: z.boolean().default(false).describe(
    'Reparameterise the prefixes as Embedding(P, token_dim) → Linear → Tanh → Linear(num_layers × 2 × token_dim), as in Li & Liang 2021.'),
  prefix_init_text: z.string().min(1).nullable().default(null).describe(
    'null: PEFT\'s random N(0, 1) prefixes. A text: the prefixes start as the frozen model\'s own keys and values of that text\'s tokens at every layer '
    + '(Li & Liang 2021, §7.2: real-word activations beat random), its tokens repeated or cut to num_virtual_tokens as PEFT\'s prompt_tuning_init_text. '
    + 'Needs prefix_projection false.'),
  modules_to_save: z.array(z.string().min(1)).nullable().default(null).describe(
    'Modules trained in full and saved with the adapter. The classification head is always added, as PEFT does for SEQ_CLS.'),
  inference_mode: z.boolean().default(false).describe(
    'PEFT\'s flag. With prefix_projection, true holds the already-projected prefixes in one embedding: how a saved adapter loads.'),
})

export type PrefixTuningConfig = z.output<typeof prefixTuningConfigSchema>
