/**
 * What differs between model families (BERT, RoBERTa, DistilBERT, Llama): parameter
 * names, embeddings, the layers, pooling and the classification head. Each family is
 * one file implementing this.
 */
import type * as tf from '@tensorflow/tfjs'
import type { EncoderConfig } from './config'
import type { ModelConfig } from './model-config'
import type { AttentionPrefix, ForwardContext } from './layers'
import type { ModuleSpec } from './parameters'

export interface EncoderInputs {
  /** Token ids, int32 [batch, seq]. */
  inputIds: tf.Tensor2D
  /** 1 for real tokens, 0 for padding, [batch, seq]. */
  attentionMask: tf.Tensor2D
  /** Segment ids, int32 [batch, seq]; all zeros when omitted. Ignored by DistilBERT and Llama. */
  tokenTypeIds?: tf.Tensor2D
}

/** The model as an architecture sees it: named weights and the PEFT-aware linear layer. */
export interface ModelWeights<Config extends ModelConfig = EncoderConfig> {
  readonly config: Config
  weight(name: string): tf.Variable
  /** The named nn.Linear (with or without bias), routed through the PEFT adapter on that layer, if any. */
  linear(name: string, x: tf.Tensor, context: ForwardContext): tf.Tensor
  /** The named LayerNorm with the encoder's layer_norm_eps. */
  layerNorm(name: string, x: tf.Tensor): tf.Tensor
  /** Prefix tuning's key/value prefix for every attention layer, when a PEFT method set one. */
  readonly attentionPrefix?: AttentionPrefix
}

export interface Architecture<Config extends ModelConfig = EncoderConfig> {
  /** HF `base_model_prefix`: the encoder's parameters live under it. */
  basePrefix: string
  /** Modules of the classification head: PEFT's `modules_to_save` for sequence classification. */
  headModules: string[]
  modules(config: Config): ModuleSpec[]
  /** Last hidden state, [batch, seq, hidden]. */
  encode(model: ModelWeights<Config>, inputs: EncoderInputs, context: ForwardContext): tf.Tensor3D
  /**
   * The sentence vector the head reads, [batch, hidden]: BERT's pooler, the first token
   * (other encoders) or the last real token (decoders, which is why the mask is passed).
   */
  pool(model: ModelWeights<Config>, hidden: tf.Tensor3D, context: ForwardContext, attentionMask: tf.Tensor2D): tf.Tensor2D
  /** Logits [batch, numLabels] from the pooled vector. */
  classify(model: ModelWeights<Config>, pooled: tf.Tensor2D, context: ForwardContext): tf.Tensor2D
}
