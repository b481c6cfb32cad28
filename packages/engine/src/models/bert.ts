/**
 * BERT (modeling_bert.py): post-LayerNorm transformer encoder, pooler (first token →
 * dense → tanh) and a linear classifier. RoBERTa reuses the encoder (see roberta.ts).
 */
import * as tf from '@tensorflow/tfjs'
import type { Architecture, EncoderInputs, ModelWeights } from './architecture'
import type { EncoderConfig } from './config'
import { activation, attentionBias, multiHeadAttention } from './layers'
import type { ForwardContext, PrefixKeyValue } from './layers'
import { embeddingModule, layerNormModule, linearModule } from './parameters'
import type { ModuleSpec } from './parameters'

export function bertEncoderModules(prefix: string, config: EncoderConfig): ModuleSpec[] {
  const { hiddenSize: h, intermediateSize, padTokenId } = config
  const embeddings = `${prefix}.embeddings`
  const modules = [
    embeddingModule(`${embeddings}.word_embeddings`, config.vocabSize, h, padTokenId),
    // RoBERTa's position table also has padding_idx = pad_token_id (BERT's has none).
    embeddingModule(`${embeddings}.position_embeddings`, config.maxPositionEmbeddings, h, config.modelType === 'roberta' ? padTokenId : undefined),
    embeddingModule(`${embeddings}.token_type_embeddings`, config.typeVocabSize, h),
    layerNormModule(`${embeddings}.LayerNorm`, h),
  ]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `${prefix}.encoder.layer.${i}`
    modules.push(
      linearModule(`${layer}.attention.self.query`, h, h),
      linearModule(`${layer}.attention.self.key`, h, h),
      linearModule(`${layer}.attention.self.value`, h, h),
      linearModule(`${layer}.attention.output.dense`, h, h),
      layerNormModule(`${layer}.attention.output.LayerNorm`, h),
      linearModule(`${layer}.intermediate.dense`, h, intermediateSize),
      linearModule(`${layer}.output.dense`, intermediateSize, h),
      layerNormModule(`${layer}.output.LayerNorm`, h),
    )
  }
  return modules
}

/** Embeddings + encoder layers; `positionIds` is [seq] (BERT) or [batch, seq] (RoBERTa). */
export function bertEncode(
  model: ModelWeights, prefix: string, inputs: EncoderInputs, positionIds: tf.Tensor, context: ForwardContext,
): tf.Tensor3D {
  const { config } = model
  const embeddings = `${prefix}.embeddings`
  const tokenTypes = inputs.tokenTypeIds ?? tf.zerosLike(inputs.inputIds)
  let x = tf.gather(model.weight(`${embeddings}.word_embeddings.weight`), inputs.inputIds)
    .add(tf.gather(model.weight(`${embeddings}.position_embeddings.weight`), positionIds))
    .add(tf.gather(model.weight(`${embeddings}.token_type_embeddings.weight`), tokenTypes))
  x = context.dropout(model.layerNorm(`${embeddings}.LayerNorm`, x), config.hiddenDropoutProb)
  const bias = attentionBias(inputs.attentionMask)
  const prefixes = model.attentionPrefix?.keyValues(inputs.inputIds.shape[0], context)
  for (let i = 0; i < config.numHiddenLayers; i++) x = bertLayer(model, `${prefix}.encoder.layer.${i}`, x, bias, context, prefixes?.[i])
  return x as tf.Tensor3D
}

/**
 * Where position ids start: after the attention prefix, if any, as HF BERT and RoBERTa
 * count positions on from `past_key_values` (what PEFT's prefix tuning passes them).
 */
export function firstPosition(model: ModelWeights): number {
  return model.attentionPrefix?.length ?? 0
}

function bertLayer(
  model: ModelWeights, layer: string, x: tf.Tensor, bias: tf.Tensor4D, context: ForwardContext, attentionPrefix?: PrefixKeyValue,
): tf.Tensor {
  const { config } = model
  const self = `${layer}.attention.self`
  const attended = multiHeadAttention(
    model.linear(`${self}.query`, x, context), model.linear(`${self}.key`, x, context), model.linear(`${self}.value`, x, context),
    bias, config.numAttentionHeads, config.attentionProbsDropoutProb, context, attentionPrefix)
  const attentionOutput = context.dropout(model.linear(`${layer}.attention.output.dense`, attended, context), config.hiddenDropoutProb)
  x = model.layerNorm(`${layer}.attention.output.LayerNorm`, attentionOutput.add(x))
  const inner = activation(config.hiddenAct, model.linear(`${layer}.intermediate.dense`, x, context))
  const output = context.dropout(model.linear(`${layer}.output.dense`, inner, context), config.hiddenDropoutProb)
  return model.layerNorm(`${layer}.output.LayerNorm`, output.add(x))
}

export function firstToken(hidden: tf.Tensor3D): tf.Tensor2D {
  const [batch, , size] = hidden.shape
  return hidden.slice([0, 0, 0], [batch, 1, size]).reshape([batch, size])
}

export function classifierDropout(config: EncoderConfig): number {
  return config.classifierDropout ?? config.hiddenDropoutProb
}

function usesPooler(config: EncoderConfig): boolean {
  return (config.classifierPooling ?? 'model') === 'model'
}

export const bert: Architecture = {
  basePrefix: 'bert',
  headModules: ['classifier'],

  modules: (config) => [
    ...bertEncoderModules('bert', config),
    // Only the model's own pooling reads the pooler: with another it would be dead weights to train and save.
    ...(usesPooler(config) ? [linearModule('bert.pooler.dense', config.hiddenSize, config.hiddenSize)] : []),
    linearModule('classifier', config.hiddenSize, config.id2label.length),
  ],

  encode: (model, inputs, context) => {
    const start = firstPosition(model)
    return bertEncode(model, 'bert', inputs, tf.range(start, start + inputs.inputIds.shape[1], 1, 'int32'), context)
  },

  pool: (model, hidden, context) => tf.tanh(model.linear('bert.pooler.dense', firstToken(hidden), context)) as tf.Tensor2D,

  classify: (model, pooled, context) =>
    model.linear('classifier', context.dropout(pooled, classifierDropout(model.config)), context) as tf.Tensor2D,
}
