/**
 * A fine-tuned text generator as files, and back, the way a classifier is saved
 * (fine-tune/saved-classifier.ts): the decoder the run trained from scratch as an HF
 * `LlamaForCausalLM` checkpoint with its WordPiece tokenizer, plus, for a method with a
 * PEFT format (LoRA), the adapter in PEFT's layout (task CAUSAL_LM) on top of it; for
 * full fine-tuning the checkpoint is the whole tuned decoder. The decoding settings
 * (sequence limit, new tokens, beams) travel beside it. Loading gives a generator that
 * writes exactly what the trained one did.
 */
import type { Checkpoint } from '../io/checkpoint'
import { fromTensor } from '../io/tensors'
import { llamaConfigToJson, parseLlamaConfig } from '../models/llama-config'
import { loadAdapter, peftMethod, saveAdapter } from '../peft'
import type { AdapterFiles, AppliedPeft } from '../peft'
import { tokenizerOf } from '../fine-tune/fine-tune-classifier'
import { createCausalLM } from './causal-lm'
import { TextGenerator } from './fine-tune-generator'

/** How the saved decoder generates: what TextGenerator takes beside the model and tokenizer. */
export interface GeneratorDecoding {
  maxLength: number
  maxNewTokens: number
  numBeams: number
}

export interface SavedGenerator {
  /** The decoder the adapter applies to (for full fine-tuning, the tuned decoder), with its tokenizer. */
  checkpoint: Checkpoint
  /** The PEFT adapter, for a method that has a PEFT format; null when the checkpoint is the whole model. */
  adapter: AdapterFiles | null
  decoding: GeneratorDecoding
}

/** The generator's files. Save before merging LoRA (mergeLora): the adapter is kept apart from the decoder's weights. */
export function saveGenerator(generator: TextGenerator, applied: AppliedPeft): SavedGenerator {
  const { model, tokenizer } = generator
  const hasAdapter = Boolean(peftMethod(applied.method).adapterFormat)
  if (!hasAdapter && model.adapters.size > 0) throw new Error(`${applied.method} has no PEFT format, yet the decoder carries adapters: nothing saved would rebuild it`)
  const adapterKeys = new Set(applied.adapterWeights.keys())
  const config = { ...llamaConfigToJson(model.config), architectures: ['LlamaForCausalLM'] }
  return {
    checkpoint: {
      config,
      weights: new Map([...model.parameters].filter(([name]) => !adapterKeys.has(name)).map(([name, variable]) => fromTensor(name, variable))),
      tokenizer: tokenizer.toJSON(),
      tokenizerConfig: null,
    },
    adapter: hasAdapter ? saveAdapter(model, applied, { taskType: 'CAUSAL_LM' }) : null,
    decoding: { maxLength: generator.maxLength, maxNewTokens: generator.maxNewTokens, numBeams: generator.numBeams },
  }
}

/** The generator from a decoder checkpoint and its adapter (null: the checkpoint is the whole tuned decoder). */
export function loadGenerator(checkpoint: Checkpoint, adapter: AdapterFiles | null, decoding: GeneratorDecoding): TextGenerator {
  const tokenizer = tokenizerOf(checkpoint)
  const model = createCausalLM(parseLlamaConfig(checkpoint.config), checkpoint.weights, { seed: 0 })
  try {
    if (model.loadReport.initialized.length > 0) throw new Error(`the decoder checkpoint lacks ${model.loadReport.initialized.join(', ')}`)
    if (adapter) loadAdapter(model, adapter, { taskType: 'CAUSAL_LM' })
  } catch (error) {
    model.dispose()
    throw error
  }
  return new TextGenerator(model, tokenizer, decoding.maxLength, decoding.maxNewTokens, decoding.numBeams)
}
