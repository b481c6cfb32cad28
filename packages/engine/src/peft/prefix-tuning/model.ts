/** How prefix tuning changes a model: new prefix parameters, the attention hook, the rest frozen. */
import * as tf from '@tensorflow/tfjs'
import type { ModelConfig, SequenceClassifier } from '../../models'
import { freezeAll, parameterCounts, parametersInside, trainableVariables } from '../trainable'
import type { AppliedPeft, ApplyOptions, PeftTokenizer } from '../types'
import type { PrefixTuningConfig } from './config'
import { PREFIX_PARAMETERS, PrefixEncoder } from './encoder'
import type { PrefixDimensions } from './encoder'

/** modules_to_save as given plus the classification head, as PeftModelForSequenceClassification does. */
export function modulesToSave(model: SequenceClassifier, config: PrefixTuningConfig): string[] {
  return [...new Set([...(config.modules_to_save ?? []), ...model.headModules])]
}

/**
 * The model's attention sizes, as PEFT's _prepare_prompt_learning_config reads them from
 * the model config: with grouped-query attention the prefixes have the key/value heads.
 */
function modelDimensions(config: ModelConfig): Omit<PrefixDimensions, 'numVirtualTokens'> {
  if (config.modelType === 'llama') {
    return { numLayers: config.numHiddenLayers, numHeads: config.numKeyValueHeads, tokenDim: config.numKeyValueHeads * config.headDim }
  }
  return { numLayers: config.numHiddenLayers, numHeads: config.numAttentionHeads, tokenDim: config.hiddenSize }
}

/** token_dim, num_layers and num_attention_heads: the model's, and an explicit value must agree with it. */
export function prefixDimensions(model: SequenceClassifier, config: PrefixTuningConfig): PrefixDimensions {
  const inferred = modelDimensions(model.config)
  const given = { tokenDim: config.token_dim, numLayers: config.num_layers, numHeads: config.num_attention_heads }
  const field = { tokenDim: 'token_dim', numLayers: 'num_layers', numHeads: 'num_attention_heads' } as const
  for (const key of Object.keys(given) as Array<keyof typeof given>) {
    if (given[key] !== null && given[key] !== inferred[key]) {
      throw new Error(`prefix tuning ${field[key]} ${given[key]} does not match this ${model.config.modelType} model's ${inferred[key]}: leave it null to infer it`)
    }
  }
  return { numVirtualTokens: config.num_virtual_tokens, ...inferred }
}

export function applyPrefixTuning(model: SequenceClassifier, config: PrefixTuningConfig, { seed, tokenizer }: ApplyOptions): AppliedPeft<PrefixTuningConfig> {
  if (model.adapters.size > 0 || model.attentionPrefix) throw new Error('model already has adapters: apply prefix tuning to a freshly created model')
  if (config.prefix_init_text !== null && config.prefix_projection) {
    throw new Error('prefix tuning prefix_init_text sets the prefixes themselves; with prefix_projection they come out of an MLP: set prefix_projection false or prefix_init_text null')
  }
  const dimensions = prefixDimensions(model, config)
  freezeAll(model)
  const prefixWeights = createPrefixWeights(dimensions, config, seed)
  if (config.prefix_init_text !== null) {
    if (!tokenizer) throw new Error('prefix tuning prefix_init_text needs the model\'s tokenizer: pass it to applyPeft')
    const embedding = prefixWeights.get(PREFIX_PARAMETERS.embedding)!
    const rows = textPrefixes(model, dimensions, tokenizer, config.prefix_init_text)
    embedding.assign(rows)
    rows.dispose()
  }
  const adapterWeights = new Map(prefixWeights)
  for (const [name, variable] of prefixWeights) model.parameters.set(name, variable)
  for (const name of parametersInside(model, modulesToSave(model, config))) adapterWeights.set(name, model.weight(name))
  for (const variable of adapterWeights.values()) variable.trainable = true
  model.attentionPrefix = new PrefixEncoder(prefixWeights, dimensions)
  return { method: 'prefix-tuning', config, trainableVariables: trainableVariables(model), adapterWeights, parameterCounts: parameterCounts(model) }
}

/**
 * Prefixes [P, num_layers × 2 × token_dim] from real words (Li & Liang 2021, §7.2): row i
 * holds, at every layer, the frozen model's own key and value of the text's i-th token, laid
 * out as PEFT's embedding (layer 0 key, layer 0 value, layer 1 key, …). The text runs
 * through the model as every input does, inside its special tokens ([CLS] … [SEP]), so its
 * words' activations are those of a real input; the prefix takes the words' rows only: a
 * second [CLS]/[SEP] before every input would be no word, and those tokens are where
 * attention tends to pool. As PEFT's prompt_tuning_init_text cuts or repeats its token
 * ids to P, a longer text is cut to its first P tokens before it runs, and a shorter one's
 * rows repeat.
 */
export function textPrefixes(model: SequenceClassifier, dimensions: PrefixDimensions, tokenizer: PeftTokenizer, text: string): tf.Tensor2D {
  const { numVirtualTokens, numLayers, tokenDim } = dimensions
  const allWords = tokenizer.encode(text, { addSpecialTokens: false })
  if (allWords.length === 0) throw new Error(`prefix tuning prefix_init_text ${JSON.stringify(text)} has no tokens`)
  const withSpecials = tokenizer.encode(text)
  const start = Array.from({ length: withSpecials.length - allWords.length + 1 }, (_, offset) => offset)
    .find((offset) => allWords.every((id, i) => withSpecials[offset + i] === id))
  if (start === undefined) throw new Error('prefix tuning prefix_init_text: the tokenizer does more than add special tokens around the text')
  const words = allWords.slice(0, numVirtualTokens)
  const ids = [...withSpecials.slice(0, start), ...words, ...withSpecials.slice(start + allWords.length)]
  const inputIds = tf.tensor2d([ids], [1, ids.length], 'int32')
  const attentionMask = tf.onesLike(inputIds)
  const keyValues = model.attentionKeyValues({ inputIds, attentionMask })
  const prefixes = tf.tidy(() => {
    // Each [1, heads, seq, head size] back to [seq, token_dim] (heads × head size, as the projection wrote it), the words' rows.
    const asRows = (perHead: tf.Tensor4D) => perHead.squeeze([0]).transpose([1, 0, 2]).reshape([ids.length, tokenDim]).slice([start, 0], [words.length, tokenDim])
    const perToken = tf.stack(keyValues.flatMap(({ key, value }) => [asRows(key), asRows(value)]), 1).reshape([words.length, numLayers * 2 * tokenDim])
    return tf.gather(perToken, Array.from({ length: numVirtualTokens }, (_, i) => i % words.length)) as tf.Tensor2D
  })
  tf.dispose([inputIds, attentionMask, ...keyValues.flatMap(({ key, value }) => [key, value])])
  return prefixes
}

/**
 * PEFT's PrefixEncoder parameters with torch's default initialisation (PEFT adds none):
 * nn.Embedding N(0, 1); nn.Linear weight and bias U(±1/√fan_in). With prefix_projection
 * in inference mode the embedding holds the projected prefixes, as PEFT loads them.
 */
function createPrefixWeights(dimensions: PrefixDimensions, config: PrefixTuningConfig, seed: number): Map<string, tf.Variable> {
  const { numVirtualTokens, numLayers, tokenDim } = dimensions
  const prefixWidth = numLayers * 2 * tokenDim
  const project = config.prefix_projection && !config.inference_mode
  const encoderHiddenSize = config.encoder_hidden_size ?? tokenDim
  const streams = seed * 100_003
  const weights = new Map<string, tf.Variable>([
    [PREFIX_PARAMETERS.embedding, variableFrom(tf.randomNormal([numVirtualTokens, project ? tokenDim : prefixWidth], 0, 1, 'float32', streams))],
  ])
  if (project) {
    const linear = (name: string, inFeatures: number, outFeatures: number, stream: number) => {
      const bound = 1 / Math.sqrt(inFeatures)
      weights.set(`${name}.weight`, variableFrom(tf.randomUniform([outFeatures, inFeatures], -bound, bound, 'float32', streams + stream)))
      weights.set(`${name}.bias`, variableFrom(tf.randomUniform([outFeatures], -bound, bound, 'float32', streams + stream + 1)))
    }
    linear(PREFIX_PARAMETERS.transformIn, tokenDim, encoderHiddenSize, 1)
    linear(PREFIX_PARAMETERS.transformOut, encoderHiddenSize, prefixWidth, 3)
  }
  return weights
}

/** A trainable variable holding `values` (which it takes over). */
function variableFrom(values: tf.Tensor): tf.Variable {
  const variable = tf.variable(values, true)
  values.dispose()
  return variable
}
