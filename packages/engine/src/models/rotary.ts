/**
 * Rotary position embeddings (Su et al. 2021) as HF's LlamaRotaryEmbedding computes
 * them: each pair of head dimensions (i, i + headDim/2) is rotated by position ×
 * inv_freq[i] ("rotate_half" layout, not interleaved pairs).
 */
import * as tf from '@tensorflow/tfjs'
import type { LlamaConfig } from './llama-config'

export interface RotaryTables {
  /** cos and sin of every position's angles, [seq, headDim], broadcasting over batch and heads. */
  cos: tf.Tensor2D
  sin: tf.Tensor2D
}

/**
 * inv_freq[i] = 1 / rope_theta^(2i / headDim), then Llama 3's scaling when configured:
 * wavelengths shorter than original_max_position_embeddings / high_freq_factor are
 * kept, longer than original / low_freq_factor divided by `factor`, and those between
 * blended smoothly (_compute_llama3_parameters).
 */
export function inverseFrequencies(config: LlamaConfig): number[] {
  const { headDim, ropeTheta, ropeScaling } = config
  // fround: HF computes inv_freq in float32.
  const plain = Array.from({ length: headDim / 2 }, (_, i) => Math.fround(1 / ropeTheta ** ((2 * i) / headDim)))
  if (!ropeScaling) return plain
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: context } = ropeScaling
  const lowFreqWavelength = context / lowFreqFactor
  const highFreqWavelength = context / highFreqFactor
  return plain.map((frequency) => {
    const wavelength = (2 * Math.PI) / frequency
    if (wavelength < highFreqWavelength) return frequency
    if (wavelength > lowFreqWavelength) return frequency / factor
    const smooth = (context / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
    return (1 - smooth) * (frequency / factor) + smooth * frequency
  })
}

/**
 * Tables for positions start..start+seq-1. HF's LlamaModel numbers tokens this way
 * whatever the padding, from 0 or from the length of past_key_values (an attention
 * prefix). With left padding the real tokens start at a later position, which changes
 * nothing among them: rotary attention depends only on distances between positions.
 */
export function rotaryTables(config: LlamaConfig, start: number, seq: number): RotaryTables {
  const frequencies = inverseFrequencies(config)
  const half = frequencies.length
  const cos = new Float32Array(seq * 2 * half)
  const sin = new Float32Array(seq * 2 * half)
  for (let row = 0; row < seq; row++) {
    frequencies.forEach((frequency, i) => {
      const angle = Math.fround((start + row) * frequency)
      // The same angle for dimension i and i + half: emb = cat(freqs, freqs).
      for (const column of [i, i + half]) {
        cos[row * 2 * half + column] = Math.cos(angle)
        sin[row * 2 * half + column] = Math.sin(angle)
      }
    })
  }
  return { cos: tf.tensor2d(cos, [seq, 2 * half]), sin: tf.tensor2d(sin, [seq, 2 * half]) }
}

/** x · cos + rotate_half(x) · sin for x [batch, heads, seq, headDim]; rotate_half(x) = cat(-x2, x1). */
export function applyRotary(x: tf.Tensor4D, { cos, sin }: RotaryTables): tf.Tensor4D {
  const [batch, heads, seq, headDim] = x.shape
  const half = headDim / 2
  const first = x.slice([0, 0, 0, 0], [batch, heads, seq, half])
  const second = x.slice([0, 0, 0, half], [batch, heads, seq, half])
  const rotated = tf.concat([second.neg(), first], 3)
  return x.mul(cos).add(rotated.mul(sin)) as tf.Tensor4D
}
