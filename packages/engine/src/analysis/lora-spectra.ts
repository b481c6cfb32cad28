/**
 * Rank importance of a saved LoRA adapter: for every adapted layer, the singular
 * value spectrum of its update ΔW = scaling · B · A, read straight from the PEFT
 * files (no model, no tfjs), so it costs O(r²·(in + out)) per layer.
 */
import { readSafetensors, toFloat32 } from '../io/safetensors'
import type { AdapterFiles } from '../peft'
import { lowRankSingularValues, matrix } from './singular-values'
import { summarizeSpectrum, type SpectrumSummary } from './spectrum'

export interface LayerSpectrum extends SpectrumSummary {
  /** The adapted linear layer, e.g. `bert.encoder.layer.0.attention.self.query`. */
  layer: string
  /** The encoder block it sits in (`….layer.3.…` → 3); null outside the blocks. */
  blockIndex: number | null
  /** out × in of ΔW. */
  shape: [number, number]
  rank: number
}

const LORA_KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/

/** The update scaling of an adapter_config.json: lora_alpha / r, or lora_alpha / √r with use_rslora. */
export function loraScaling(config: Record<string, unknown>): number {
  const r = Number(config.r ?? 8)
  const alpha = Number(config.lora_alpha ?? 8)
  return config.use_rslora === true ? alpha / Math.sqrt(r) : alpha / r
}

/** The spectrum of every LoRA update in an adapter, in layer order. */
export function loraLayerSpectra(files: AdapterFiles): LayerSpectrum[] {
  const config = files['adapter_config.json']
  if (config.peft_type !== 'LORA') throw new Error(`the adapter is ${JSON.stringify(config.peft_type)}, not LORA: only LoRA updates have a B·A spectrum`)
  const scaling = loraScaling(config)
  const factors = new Map<string, { A?: ReturnType<typeof matrix>; B?: ReturnType<typeof matrix> }>()
  for (const [key, tensor] of readSafetensors(files['adapter_model.safetensors']).tensors) {
    const match = LORA_KEY.exec(key)
    if (!match) continue
    const [rows, cols] = tensor.shape as [number, number]
    const entry = factors.get(match[1]!) ?? {}
    entry[match[2] as 'A' | 'B'] = matrix(rows, cols, toFloat32(tensor))
    factors.set(match[1]!, entry)
  }
  if (factors.size === 0) throw new Error('the adapter holds no lora_A / lora_B weights')
  return [...factors].map(([layer, { A, B }]) => {
    if (!A || !B) throw new Error(`layer ${layer} has lora_${A ? 'B' : 'A'} missing from the adapter`)
    const spectrum: LayerSpectrum = { layer, blockIndex: blockIndexOf(layer), shape: [B.rows, A.cols], rank: A.rows, ...summarizeSpectrum(lowRankSingularValues(B, A, scaling)) }
    return spectrum
  }).sort((x, y) => (x.blockIndex ?? -1) - (y.blockIndex ?? -1) || x.layer.localeCompare(y.layer))
}

/** The encoder block of a layer name: BERT's `encoder.layer.N`, DistilBERT's `transformer.layer.N`, Llama's `layers.N`. */
export function blockIndexOf(layer: string): number | null {
  const match = /\.layers?\.(\d+)\./.exec(layer)
  return match ? Number(match[1]) : null
}
