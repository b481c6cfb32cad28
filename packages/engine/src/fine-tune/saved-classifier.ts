/**
 * A fine-tuned classifier as files, and back: a PEFT adapter on top of the base
 * checkpoint (LoRA and the other PEFT methods) or a whole HF checkpoint (full
 * fine-tuning). Loading either gives a classifier that predicts exactly what the
 * trained one did.
 */
import type { Checkpoint } from '../io/checkpoint'
import { fromTensor } from '../io/tensors'
import { createSequenceClassifier, modelConfigToJson, parseModelConfig, withLabels } from '../models'
import { bitsAndBytesConfigJson, loadAdapter, peftMethod, saveAdapter } from '../peft'
import type { AdapterFiles, QloraConfig } from '../peft'
import type { FineTuned } from './fine-tune-classifier'
import { tokenizerOf } from './fine-tune-classifier'
import { inputLengthLimit } from './encoded-examples'
import { IntentClassifier } from './intent-classifier'
import type { MultiLabelDecision } from './intent-classifier'

export type SavedClassifier =
  /** `quantizationConfig`: QLoRA's 4-bit base settings (transformers' quantization_config), null for the other methods. */
  | { kind: 'adapter'; adapter: AdapterFiles; quantizationConfig: Record<string, unknown> | null }
  | { kind: 'checkpoint'; checkpoint: Checkpoint }

/** The files to keep: the adapter when the method has a PEFT format, else the whole model. */
export function saveFineTuned({ classifier, applied }: FineTuned, options: { baseModelNameOrPath?: string | null } = {}): SavedClassifier {
  if (peftMethod(applied.method).adapterFormat) {
    const quantizationConfig = applied.method === 'qlora' ? bitsAndBytesConfigJson(applied.config as QloraConfig, classifier.model) : null
    return { kind: 'adapter', adapter: saveAdapter(classifier.model, applied, options), quantizationConfig }
  }
  return { kind: 'checkpoint', checkpoint: classifierCheckpoint(classifier) }
}

/** The whole classifier as an HF `*ForSequenceClassification` checkpoint (config with labels, weights, tokenizer). */
export function classifierCheckpoint(classifier: IntentClassifier): Checkpoint {
  const { model, tokenizer } = classifier
  if (model.adapters.size > 0) throw new Error('the model carries PEFT adapters: save the adapter (saveFineTuned) instead of a whole checkpoint')
  return {
    config: modelConfigToJson(model.config),
    weights: new Map([...model.parameters].map(([name, variable]) => fromTensor(name, variable))),
    tokenizer: tokenizer.toJSON(),
    tokenizerConfig: null,
  }
}

export interface LoadClassifierOptions {
  /** Labels in class-index order; default the checkpoint's id2label. An adapter's base rarely has the task's labels, so pass them. */
  labels?: readonly string[]
  /** Longest input in tokens; use the value the model was trained with. Default the model's position limit. */
  maxLength?: number
  /** A QLoRA run's 4-bit base settings (`SavedClassifier.quantizationConfig`): the adapter loads onto the same 4-bit base. */
  quantizationConfig?: Record<string, unknown> | null
  /**
   * A multi-label run's decision (what its classifier.json records: the multi-label flag and the sigmoid threshold): the
   * weights alone cannot tell a sigmoid head from a softmax one. Absent or null, a single-label classifier.
   */
  multiLabel?: MultiLabelDecision | null
}

/** A classifier from a base checkpoint plus a PEFT adapter, or from a whole classifier checkpoint (adapter null). */
export function loadIntentClassifier(base: Checkpoint, adapter: AdapterFiles | null, options: LoadClassifierOptions = {}): IntentClassifier {
  const tokenizer = tokenizerOf(base)
  const parsed = parseModelConfig(base.config)
  const config = options.labels ? withLabels(parsed, options.labels) : parsed
  const model = createSequenceClassifier(config, base.weights, { seed: 0 })
  try {
    if (adapter) {
      loadAdapter(model, adapter, { quantizationConfig: options.quantizationConfig })
    } else if (model.loadReport.initialized.length > 0) {
      throw new Error(`the checkpoint lacks ${model.loadReport.initialized.join(', ')}: it is not a whole classifier; load it with its adapter`)
    }
  } catch (error) {
    model.dispose()
    throw error
  }
  return new IntentClassifier(model, tokenizer, Math.min(options.maxLength ?? inputLengthLimit(model), inputLengthLimit(model)), options.multiLabel ?? null)
}
