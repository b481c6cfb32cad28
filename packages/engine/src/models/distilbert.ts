/**
 * DistilBERT (modeling_distilbert.py): the same post-LayerNorm encoder under other
 * names, no token types, and a pre_classifier → ReLU → classifier head.
 */
import * as tf from '@tensorflow/tfjs'
import type { Architecture } from './architecture'
import { firstToken } from './bert'
import { activation, attentionBias, multiHeadAttention } from './layers'
import { embeddingModule, layerNormModule, linearModule } from './parameters'
import type { ModuleSpec } from './parameters'

export const distilbert: Architecture = {
  basePrefix: 'distilbert',
  // pre_classifier is as new to a fine-tuning task as classifier. (PEFT's suffix match on
  // `classifier` catches it too; naming it keeps adapter_config.json explicit.)
  headModules: ['pre_classifier', 'classifier'],

  modules: (config) => {
    const { hiddenSize: h, intermediateSize } = config
    const modules: ModuleSpec[] = [
      embeddingModule('distilbert.embeddings.word_embeddings', config.vocabSize, h, config.padTokenId),
      embeddingModule('distilbert.embeddings.position_embeddings', config.maxPositionEmbeddings, h),
      layerNormModule('distilbert.embeddings.LayerNorm', h),
    ]
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const layer = `distilbert.transformer.layer.${i}`
      modules.push(
        linearModule(`${layer}.attention.q_lin`, h, h),
        linearModule(`${layer}.attention.k_lin`, h, h),
        linearModule(`${layer}.attention.v_lin`, h, h),
        linearModule(`${layer}.attention.out_lin`, h, h),
        layerNormModule(`${layer}.sa_layer_norm`, h),
        linearModule(`${layer}.ffn.lin1`, h, intermediateSize),
        linearModule(`${layer}.ffn.lin2`, intermediateSize, h),
        layerNormModule(`${layer}.output_layer_norm`, h),
      )
    }
    modules.push(linearModule('pre_classifier', h, h), linearModule('classifier', h, config.id2label.length))
    return modules
  },

  encode: (model, inputs, context) => {
    const { config } = model
    const positions = tf.range(0, inputs.inputIds.shape[1], 1, 'int32')
    let x = tf.gather(model.weight('distilbert.embeddings.word_embeddings.weight'), inputs.inputIds)
      .add(tf.gather(model.weight('distilbert.embeddings.position_embeddings.weight'), positions))
    x = context.dropout(model.layerNorm('distilbert.embeddings.LayerNorm', x), config.hiddenDropoutProb)
    const bias = attentionBias(inputs.attentionMask)
    // HF DistilBERT takes no past_key_values, so positions stay 0-based under a prefix.
    const prefixes = model.attentionPrefix?.keyValues(inputs.inputIds.shape[0], context)
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const layer = `distilbert.transformer.layer.${i}`
      const attention = `${layer}.attention`
      const attended = multiHeadAttention(
        model.linear(`${attention}.q_lin`, x, context), model.linear(`${attention}.k_lin`, x, context), model.linear(`${attention}.v_lin`, x, context),
        bias, config.numAttentionHeads, config.attentionProbsDropoutProb, context, prefixes?.[i])
      x = model.layerNorm(`${layer}.sa_layer_norm`, model.linear(`${attention}.out_lin`, attended, context).add(x))
      const inner = activation(config.hiddenAct, model.linear(`${layer}.ffn.lin1`, x, context))
      const output = context.dropout(model.linear(`${layer}.ffn.lin2`, inner, context), config.hiddenDropoutProb)
      x = model.layerNorm(`${layer}.output_layer_norm`, output.add(x))
    }
    return x as tf.Tensor3D
  },

  pool: (_model, hidden) => firstToken(hidden),

  classify: (model, pooled, context) => {
    const x = tf.relu(model.linear('pre_classifier', pooled, context))
    return model.linear('classifier', context.dropout(x, model.config.classifierDropout ?? 0), context) as tf.Tensor2D
  },
}
