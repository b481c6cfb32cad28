/**
 * QLoRA settings: PEFT's LoraConfig plus the 4-bit fields of transformers'
 * BitsAndBytesConfig (`load_in_4bit=True` implied), with their names.
 */
import { z } from 'zod'
import { loraConfigSchema } from '../lora/config'

export const qloraConfigSchema = loraConfigSchema.extend({
  // BitsAndBytesConfig's own defaults are fp4 without double quantization; QLoRA (Dettmers et al. 2023) is
  // NF4 with double quantization, so that is what this method does unless told otherwise.
  bnb_4bit_quant_type: z.enum(['nf4', 'fp4']).default('nf4').describe(
    'The 4-bit code book of the frozen base weights: nf4 (NormalFloat, for normally distributed weights) or fp4.'),
  bnb_4bit_use_double_quant: z.boolean().default(true).describe(
    'Quantize the per-block absmax constants too (8-bit, blocks of 256): about 0.06 → 0.016 byte per parameter.'),
  bnb_4bit_compute_dtype: z.enum(['float32', 'float16', 'bfloat16']).default('float32').describe(
    'The dtype weights are dequantized to for the matrix products. tfjs computes in float32 only: float16 and bfloat16 '
    + 'are accepted so that configs from Python carry over, and compute in float32 here (at least as precise, more memory).'),
})

export type QloraConfig = z.output<typeof qloraConfigSchema>

/** The BitsAndBytesConfig fields, which PEFT keeps out of adapter_config.json. */
export const QUANTIZATION_FIELDS = ['bnb_4bit_quant_type', 'bnb_4bit_use_double_quant', 'bnb_4bit_compute_dtype'] as const
