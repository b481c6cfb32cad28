/**
 * RoBERTa (modeling_roberta.py): BERT's encoder with position ids that skip padding,
 * no pooler, and a two-layer head on the first token (<s>).
 */
import * as tf from '@tensorflow/tfjs'
import type { Architecture } from './architecture'
import { bertEncode, bertEncoderModules, classifierDropout, firstPosition, firstToken } from './bert'
import { linearModule } from './parameters'

/**
 * create_position_ids_from_input_ids: real tokens count up from pad_token_id + 1 (+ the
 * attention prefix's length, HF's past_key_values_length), padding keeps pad_token_id
 * (whose position row is the padding row).
 */
function positionIds(inputIds: tf.Tensor2D, padTokenId: number, start: number): tf.Tensor2D {
  const isToken = tf.notEqual(inputIds, padTokenId).toInt()
  // int32 scalars: a plain number would be float32 and turn the ids into floats.
  return tf.cumsum(isToken, 1).add(tf.scalar(start, 'int32')).mul(isToken).add(tf.scalar(padTokenId, 'int32')) as tf.Tensor2D
}

export const roberta: Architecture = {
  basePrefix: 'roberta',
  headModules: ['classifier'],

  modules: (config) => [
    ...bertEncoderModules('roberta', config),
    linearModule('classifier.dense', config.hiddenSize, config.hiddenSize),
    linearModule('classifier.out_proj', config.hiddenSize, config.id2label.length),
  ],

  encode: (model, inputs, context) =>
    bertEncode(model, 'roberta', inputs, positionIds(inputs.inputIds, model.config.padTokenId, firstPosition(model)), context),

  pool: (_model, hidden) => firstToken(hidden),

  classify: (model, pooled, context) => {
    const rate = classifierDropout(model.config)
    const x = tf.tanh(model.linear('classifier.dense', context.dropout(pooled, rate), context))
    return model.linear('classifier.out_proj', context.dropout(x, rate), context) as tf.Tensor2D
  },
}
