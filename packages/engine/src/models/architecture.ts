/**
 * What differs between encoder families (BERT, RoBERTa, DistilBERT): parameter names,
 * embeddings, the classification head. Each family is one file implementing this.
 */
import type * as tf from '@tensorflow/tfjs'
import type { EncoderConfig } from './config'
import type { ForwardContext } from './layers'
import type { ModuleSpec } from './parameters'

export interface EncoderInputs {
  /** Token ids, int32 [batch, seq]. */
  inputIds: tf.Tensor2D
  /** 1 for real tokens, 0 for padding, [batch, seq]. */
  attentionMask: tf.Tensor2D
  /** Segment ids, int32 [batch, seq]; all zeros when omitted. Ignored by DistilBERT. */
  tokenTypeIds?: tf.Tensor2D
}

/** The model as an architecture sees it: named weights and the PEFT-aware linear layer. */
export interface ModelWeights {
  readonly config: EncoderConfig
  weight(name: string): tf.Variable
  /** The named nn.Linear, routed through the PEFT adapter on that layer, if any. */
  linear(name: string, x: tf.Tensor, context: ForwardContext): tf.Tensor
  layerNorm(name: string, x: tf.Tensor): tf.Tensor
}

export interface Architecture {
  /** HF `base_model_prefix`: the encoder's parameters live under it. */
  basePrefix: string
  /** Modules of the classification head: PEFT's `modules_to_save` for sequence classification. */
  headModules: string[]
  modules(config: EncoderConfig): ModuleSpec[]
  /** Last hidden state, [batch, seq, hidden]. */
  encode(model: ModelWeights, inputs: EncoderInputs, context: ForwardContext): tf.Tensor3D
  /** The sentence vector the head reads, [batch, hidden]: BERT's pooler, else the first token. */
  pool(model: ModelWeights, hidden: tf.Tensor3D, context: ForwardContext): tf.Tensor2D
  /** Logits [batch, numLabels] from the pooled vector. */
  classify(model: ModelWeights, pooled: tf.Tensor2D, context: ForwardContext): tf.Tensor2D
}
