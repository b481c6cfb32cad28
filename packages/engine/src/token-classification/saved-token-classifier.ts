/**
 * A fine-tuned slot tagger as files, and back, like saved-classifier.ts for intents:
 * a PEFT adapter (task_type TOKEN_CLS) on top of the base checkpoint, or a whole HF
 * `BertForTokenClassification` checkpoint for full fine-tuning. The tag set travels in
 * the config's id2label (whole checkpoint) or must be passed (adapter), as for intents.
 */
import type { Checkpoint } from '../io/checkpoint'
import { fromTensor } from '../io/tensors'
import { modelConfigToJson, parseModelConfig } from '../models'
import { bitsAndBytesConfigJson, loadAdapter, peftMethod, saveAdapter } from '../peft'
import type { AdapterFiles, QloraConfig } from '../peft'
import type { SavedClassifier } from '../fine-tune/saved-classifier'
import { inputLengthLimit } from '../fine-tune/encoded-examples'
import { tokenizerOf } from '../fine-tune/fine-tune-classifier'
import type { FineTunedTokens } from './fine-tune-token-classifier'
import { createTokenModel, TokenClassifier } from './token-classifier'

export function saveTokenClassifier({ tagger, applied }: FineTunedTokens, options: { baseModelNameOrPath?: string | null } = {}): SavedClassifier {
  if (peftMethod(applied.method).adapterFormat) {
    const quantizationConfig = applied.method === 'qlora' ? bitsAndBytesConfigJson(applied.config as QloraConfig, tagger.model) : null
    return { kind: 'adapter', adapter: saveAdapter(tagger.model, applied, { ...options, taskType: 'TOKEN_CLS' }), quantizationConfig }
  }
  const { model, tokenizer } = tagger
  const config = { ...modelConfigToJson(model.config), architectures: ['BertForTokenClassification'] }
  const checkpoint: Checkpoint = {
    config,
    weights: new Map([...model.parameters].map(([name, variable]) => fromTensor(name, variable))),
    tokenizer: tokenizer.toJSON(),
    tokenizerConfig: null,
  }
  return { kind: 'checkpoint', checkpoint }
}

export interface LoadTokenClassifierOptions {
  /** The tag set in head order; default the checkpoint's id2label (pass it for an adapter, whose base has no tags). */
  tags?: readonly string[]
  maxLength?: number
  quantizationConfig?: Record<string, unknown> | null
}

export function loadTokenClassifier(base: Checkpoint, adapter: AdapterFiles | null, options: LoadTokenClassifierOptions = {}): TokenClassifier {
  const tokenizer = tokenizerOf(base)
  const config = parseModelConfig(base.config)
  const model = createTokenModel(config, options.tags ?? config.id2label, base.weights, 0)
  try {
    if (adapter) {
      loadAdapter(model, adapter, { quantizationConfig: options.quantizationConfig, taskType: 'TOKEN_CLS' })
    } else if (model.loadReport.initialized.length > 0) {
      throw new Error(`the checkpoint lacks ${model.loadReport.initialized.join(', ')}: it is not a whole token classifier; load it with its adapter`)
    }
  } catch (error) {
    model.dispose()
    throw error
  }
  return new TokenClassifier(model, tokenizer, Math.min(options.maxLength ?? inputLengthLimit(model), inputLengthLimit(model)))
}
