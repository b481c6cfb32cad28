/**
 * A transformer with a classification head (HF `*ForSequenceClassification`): an
 * encoder (BERT, RoBERTa, DistilBERT) or a decoder (Llama), its parameters held as
 * tf.Variables under HF checkpoint names.
 */
import * as tf from '@tensorflow/tfjs'
import type { NamedTensor } from '../io/safetensors'
import type { Architecture, EncoderInputs, ModelWeights } from './architecture'
import { bert, firstToken } from './bert'
import { distilbert } from './distilbert'
import { ForwardContext, dense, layerNorm } from './layers'
import type { AttentionPrefix, ForwardOptions, LinearAdapter, PrefixKeyValue } from './layers'
import { llama } from './llama'
import type { Pooling } from './config'
import type { ModelConfig } from './model-config'
import { createParameters } from './parameters'
import type { LoadReport } from './parameters'
import { roberta } from './roberta'

/** The architecture of each model type, typed by that type's config. */
const ARCHITECTURES: { [Type in ModelConfig['modelType']]: Architecture<Extract<ModelConfig, { modelType: Type }>> } = { bert, roberta, distilbert, llama }

/**
 * How token vectors become one sentence vector (see config.ts): for `encode`, and for
 * the classification head as the config's `classifierPooling` says. `model` is the
 * family's own (BERT's pooler, Llama's last real token, the first token otherwise);
 * `cls` is meaningless for a causal decoder, whose first token sees nothing else.
 */
export type { Pooling }

export interface EncoderOutput {
  /** [batch, seq, hidden] */
  lastHiddenState: tf.Tensor3D
  /** [batch, hidden] */
  pooled: tf.Tensor2D
}

export class SequenceClassifier<Config extends ModelConfig = ModelConfig> implements ModelWeights<Config> {
  /** Every parameter by HF name; PEFT methods add theirs (e.g. `….query.lora_A.weight`). */
  readonly parameters: Map<string, tf.Variable>
  /** PEFT hooks by linear layer name: the layer's output is computed by its adapter. */
  readonly adapters = new Map<string, LinearAdapter>()
  /** The PEFT hook on every attention layer's keys and values (prefix tuning), if any. */
  attentionPrefix: AttentionPrefix | undefined = undefined
  readonly loadReport: LoadReport
  private readonly linearNames: string[]

  constructor(readonly config: Config, private readonly architecture: Architecture<Config>, weights: Map<string, NamedTensor> | undefined, seed: number) {
    const modules = architecture.modules(config)
    this.linearNames = modules.filter((module) => module.kind === 'linear').map((module) => module.name)
    const { parameters, loadReport } = createParameters(modules, architecture.basePrefix, config.initializerRange, weights, seed)
    this.parameters = parameters
    this.loadReport = loadReport
  }

  /** Logits [batch, numLabels]. */
  forward(inputs: EncoderInputs, options: ForwardOptions): tf.Tensor2D {
    return tf.tidy(() => {
      const context = new ForwardContext(options.training, options.seed)
      const hidden = this.architecture.encode(this, inputs, context)
      return this.architecture.classify(this, this.pool(hidden, inputs.attentionMask, this.classifierPooling, context), context)
    })
  }

  /** What the classification head reads: Llama always its last real token, encoders as their config says. */
  get classifierPooling(): Pooling {
    return this.config.modelType === 'llama' ? 'model' : this.config.classifierPooling ?? 'model'
  }

  /** Hidden states and a pooled sentence vector, for pretraining heads and frozen-feature probes. */
  encode(inputs: EncoderInputs, options: ForwardOptions & { pooling?: Pooling }): EncoderOutput {
    return tf.tidy(() => {
      const context = new ForwardContext(options.training, options.seed)
      const lastHiddenState = this.architecture.encode(this, inputs, context)
      const pooled = this.pool(lastHiddenState, inputs.attentionMask, options.pooling ?? 'model', context)
      return { lastHiddenState, pooled }
    })
  }

  /**
   * Every attention layer's keys and values of `inputs` in eval mode, [batch, heads (key/value
   * heads with GQA), seq, head size], in layer order: what HF returns as past_key_values
   * (keys after rotary for Llama), and the layout of an AttentionPrefix. The caller disposes them.
   */
  attentionKeyValues(inputs: EncoderInputs): PrefixKeyValue[] {
    const context = new ForwardContext(false, undefined, { recordKeyValues: true })
    tf.tidy(() => {
      this.architecture.encode(this, inputs, context)
    })
    return context.keyValues!
  }

  private pool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D, pooling: Pooling, context: ForwardContext): tf.Tensor2D {
    switch (pooling) {
      case 'model': return this.architecture.pool(this, hidden, context, attentionMask)
      case 'cls': return firstToken(hidden)
      case 'mean': {
        const mask = attentionMask.toFloat().expandDims(2)
        return hidden.mul(mask).sum(1).div(mask.sum(1).maximum(1)) as tf.Tensor2D
      }
    }
  }

  /** Names of every nn.Linear, in forward order: the layers a PEFT method can target. */
  linearLayerNames(): string[] {
    return [...this.linearNames]
  }

  /** The classification head's modules (PEFT `modules_to_save` for sequence classification). */
  get headModules(): string[] {
    return [...this.architecture.headModules]
  }

  get basePrefix(): string {
    return this.architecture.basePrefix
  }

  weight(name: string): tf.Variable {
    const variable = this.parameters.get(name)
    if (!variable) throw new Error(`${this.config.modelType} model has no parameter ${name}`)
    return variable
  }

  linear(name: string, x: tf.Tensor, context: ForwardContext): tf.Tensor {
    const bias = this.parameters.get(`${name}.bias`)
    // The weight is looked up only when the base layer runs: a quantized layer (QLoRA) has no fp32 weight.
    const base = (input: tf.Tensor) => dense(input, this.weight(`${name}.weight`), bias)
    const adapter = this.adapters.get(name)
    return adapter ? adapter.forward(x, base, context) : base(x)
  }

  layerNorm(name: string, x: tf.Tensor): tf.Tensor {
    const { config } = this
    if (config.modelType === 'llama') throw new Error(`llama has no LayerNorm ${name}: it normalises with RMSNorm`)
    return layerNorm(x, this.weight(`${name}.weight`), this.weight(`${name}.bias`), config.layerNormEps)
  }

  /** Number of scalar parameters, all of them or the trainable ones. */
  countParameters(which: 'all' | 'trainable' = 'all'): number {
    let count = 0
    for (const variable of this.parameters.values()) if (which === 'all' || variable.trainable) count += variable.size
    return count
  }

  dispose(): void {
    for (const variable of this.parameters.values()) variable.dispose()
    for (const adapter of this.adapters.values()) adapter.dispose?.()
    this.parameters.clear()
    this.adapters.clear()
    this.attentionPrefix = undefined
  }
}

export interface CreateOptions {
  /** Seeds the initialisation of parameters the checkpoint lacks. */
  seed: number
}

/**
 * Builds the model for `config.modelType`, taking each parameter from `weights` (an HF
 * checkpoint: a base encoder or decoder, an MLM or causal-LM checkpoint, or a full
 * classifier) when present and initialising the rest as HF does: normal(0,
 * initializer_range) weights, zero biases, norm weights one, padding embedding rows
 * zero. See `loadReport` for which was which.
 */
export function createSequenceClassifier<Config extends ModelConfig>(config: Config, weights: Map<string, NamedTensor> | undefined, options: CreateOptions): SequenceClassifier<Config> {
  // The mapped type pairs each modelType with its architecture; TS cannot follow that through a generic lookup.
  const architecture = ARCHITECTURES[config.modelType] as unknown as Architecture<Config>
  return new SequenceClassifier(config, architecture, weights, options.seed)
}
