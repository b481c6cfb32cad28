/**
 * The ONNX graph of a BERT-family sequence classifier (BERT, RoBERTa, DistilBERT), op
 * for op what models/bert.ts, roberta.ts, distilbert.ts and sequence-classifier.ts
 * compute in eval mode (no dropout), in the same order of operations so that the
 * logits agree to float32 rounding. Inputs `input_ids` and `attention_mask` (int64
 * [batch, sequence], both dynamic), output `logits` (float32 [batch, num_labels]).
 * Token type ids are all zeros, as the engine's batches have them.
 */
import type { EncoderConfig, SequenceClassifier } from '../../models'
import { assertFoldable, foldedLinear } from './folded-weights'
import { GraphBuilder, float, int, ints } from './graph-builder'
import { DataType } from './onnx-proto'
import type { GraphValue } from './onnx-proto'

export const INPUT_IDS = 'input_ids'
export const ATTENTION_MASK = 'attention_mask'
export const LOGITS = 'logits'

/** HF module names of one post-LayerNorm encoder layer. */
interface LayerNames {
  query: string
  key: string
  value: string
  attentionOutput: string
  attentionNorm: string
  intermediate: string
  output: string
  outputNorm: string
}

function bertLayerNames(prefix: string, index: number): LayerNames {
  const layer = `${prefix}.encoder.layer.${index}`
  return {
    query: `${layer}.attention.self.query`,
    key: `${layer}.attention.self.key`,
    value: `${layer}.attention.self.value`,
    attentionOutput: `${layer}.attention.output.dense`,
    attentionNorm: `${layer}.attention.output.LayerNorm`,
    intermediate: `${layer}.intermediate.dense`,
    output: `${layer}.output.dense`,
    outputNorm: `${layer}.output.LayerNorm`,
  }
}

function distilbertLayerNames(index: number): LayerNames {
  const layer = `distilbert.transformer.layer.${index}`
  return {
    query: `${layer}.attention.q_lin`,
    key: `${layer}.attention.k_lin`,
    value: `${layer}.attention.v_lin`,
    attentionOutput: `${layer}.attention.out_lin`,
    attentionNorm: `${layer}.sa_layer_norm`,
    intermediate: `${layer}.ffn.lin1`,
    output: `${layer}.ffn.lin2`,
    outputNorm: `${layer}.output_layer_norm`,
  }
}

/** The graph of `model` with its PEFT adapters folded into the weights (see folded-weights.ts). */
export function encoderClassifierGraph(model: SequenceClassifier<EncoderConfig>): GraphValue {
  assertFoldable(model)
  return new EncoderGraph(model).build()
}

class EncoderGraph {
  private readonly g = new GraphBuilder()
  private readonly config: EncoderConfig

  constructor(private readonly model: SequenceClassifier<EncoderConfig>) {
    this.config = model.config
  }

  build(): GraphValue {
    const { g, config } = this
    const inputIds = g.input({ name: INPUT_IDS, elemType: DataType.INT64, dims: ['batch', 'sequence'] })
    const mask = g.input({ name: ATTENTION_MASK, elemType: DataType.INT64, dims: ['batch', 'sequence'] })
    const prefix = this.model.basePrefix
    const maskFloat = g.op('Cast', [mask], { to: int(DataType.FLOAT) })
    let x = config.modelType === 'distilbert' ? this.distilbertEmbeddings(inputIds) : this.bertEmbeddings(prefix, inputIds)
    // layers.ts attentionBias: (1 - mask) · -1e9, [batch, 1, 1, seq].
    const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [g.scalar(1), maskFloat]), g.scalar(-1e9)]), g.int64([1, 2])])
    for (let index = 0; index < config.numHiddenLayers; index++) {
      x = this.encoderLayer(config.modelType === 'distilbert' ? distilbertLayerNames(index) : bertLayerNames(prefix, index), x, bias)
    }
    const logits = this.head(this.pool(x, maskFloat))
    g.op('Identity', [logits], {}, LOGITS)
    g.output({ name: LOGITS, elemType: DataType.FLOAT, dims: ['batch', config.id2label.length] })
    return g.build(`${config.modelType}_sequence_classifier`)
  }

  /** word + position + token type 0, then LayerNorm (bert.ts bertEncode; roberta.ts positionIds). */
  private bertEmbeddings(prefix: string, inputIds: string): string {
    const { g, config } = this
    const embeddings = `${prefix}.embeddings`
    const words = g.op('Gather', [this.parameter(`${embeddings}.word_embeddings.weight`), inputIds])
    const positionTable = this.parameter(`${embeddings}.position_embeddings.weight`)
    const positions = config.modelType === 'roberta'
      ? g.op('Gather', [positionTable, this.robertaPositionIds(inputIds)])
      : this.firstPositions(positionTable, inputIds)
    const tokenTypeZero = this.parameterRow(`${embeddings}.token_type_embeddings.weight`, 0)
    const sum = g.op('Add', [g.op('Add', [words, positions]), tokenTypeZero])
    return this.layerNorm(`${embeddings}.LayerNorm`, sum)
  }

  private distilbertEmbeddings(inputIds: string): string {
    const { g } = this
    const words = g.op('Gather', [this.parameter('distilbert.embeddings.word_embeddings.weight'), inputIds])
    const positions = this.firstPositions(this.parameter('distilbert.embeddings.position_embeddings.weight'), inputIds)
    return this.layerNorm('distilbert.embeddings.LayerNorm', g.op('Add', [words, positions]))
  }

  /** Rows 0 … seq-1 of the position table, [seq, hidden]: broadcast over the batch. */
  private firstPositions(table: string, inputIds: string): string {
    const { g } = this
    const sequenceLength = g.op('Shape', [inputIds], { start: int(1), end: int(2) })
    return g.op('Slice', [table, g.int64([0]), sequenceLength, g.int64([0])])
  }

  /** create_position_ids_from_input_ids: cumsum of non-padding tokens, times the mask, plus pad_token_id. */
  private robertaPositionIds(inputIds: string): string {
    const { g, config } = this
    const padId = g.int64([config.padTokenId], [])
    const isToken = g.op('Cast', [g.op('Not', [g.op('Equal', [inputIds, padId])])], { to: int(DataType.INT64) })
    const counted = g.op('CumSum', [isToken, g.int64([1], [])])
    return g.op('Add', [g.op('Mul', [counted, isToken]), padId])
  }

  /** bert.ts bertLayer / distilbert.ts: attention, residual + LayerNorm, FFN, residual + LayerNorm. */
  private encoderLayer(names: LayerNames, x: string, bias: string): string {
    const { g } = this
    const attended = this.attention(this.linear(names.query, x), this.linear(names.key, x), this.linear(names.value, x), bias)
    const afterAttention = this.layerNorm(names.attentionNorm, g.op('Add', [this.linear(names.attentionOutput, attended), x]))
    const inner = this.activation(this.linear(names.intermediate, afterAttention))
    return this.layerNorm(names.outputNorm, g.op('Add', [this.linear(names.output, inner), afterAttention]))
  }

  /** layers.ts multiHeadAttention: softmax(Q Kᵀ / √d + bias) V over the heads. */
  private attention(query: string, key: string, value: string, bias: string): string {
    const { g, config } = this
    const headSize = config.hiddenSize / config.numAttentionHeads
    // Reshape's 0 keeps that dimension: batch and sequence stay dynamic.
    const headShape = g.int64([0, 0, config.numAttentionHeads, headSize])
    const splitHeads = (input: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [input, headShape])], { perm: ints(perm) })
    const scores = g.op('MatMul', [splitHeads(query, [0, 2, 1, 3]), splitHeads(key, [0, 2, 3, 1])])
    const scaled = g.op('Add', [g.op('Div', [scores, g.scalar(Math.sqrt(headSize))]), bias])
    const probabilities = g.op('Softmax', [scaled], { axis: int(-1) })
    const context = g.op('Transpose', [g.op('MatMul', [probabilities, splitHeads(value, [0, 2, 1, 3])])], { perm: ints([0, 2, 1, 3]) })
    return g.op('Reshape', [context, g.int64([0, 0, config.hiddenSize])])
  }

  /** layers.ts activation, the same formula step by step. */
  private activation(x: string): string {
    const { g, config } = this
    switch (config.hiddenAct) {
      case 'gelu': {
        const erf = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])])
        return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, g.scalar(1)])]), g.scalar(0.5)])
      }
      case 'gelu_new':
      case 'gelu_pytorch_tanh': {
        const cube = g.op('Mul', [g.op('Mul', [g.op('Mul', [x, x]), x]), g.scalar(0.044715)])
        const tanh = g.op('Tanh', [g.op('Mul', [g.op('Add', [x, cube]), g.scalar(Math.sqrt(2 / Math.PI))])])
        return g.op('Mul', [g.op('Mul', [x, g.op('Add', [tanh, g.scalar(1)])]), g.scalar(0.5)])
      }
      case 'relu':
        return g.op('Relu', [x])
    }
  }

  /** sequence-classifier.ts pool: the family's own pooling, the first token, or the mean over real tokens. */
  private pool(hidden: string, maskFloat: string): string {
    const { g, model } = this
    switch (model.classifierPooling) {
      case 'model':
        return model.config.modelType === 'bert'
          ? g.op('Tanh', [this.linear('bert.pooler.dense', this.firstToken(hidden))])
          : this.firstToken(hidden)
      case 'cls':
        return this.firstToken(hidden)
      case 'mean': {
        const mask = g.op('Unsqueeze', [maskFloat, g.int64([2])])
        const axes = g.int64([1])
        const total = g.op('ReduceSum', [g.op('Mul', [hidden, mask]), axes], { keepdims: int(0) })
        const count = g.op('ReduceSum', [mask, axes], { keepdims: int(0) })
        return g.op('Div', [total, g.op('Max', [count, g.scalar(1)])])
      }
    }
  }

  /** Each family's classify(): BERT's linear, RoBERTa's dense → tanh → out_proj, DistilBERT's pre_classifier → ReLU → classifier. */
  private head(pooled: string): string {
    const { g, config } = this
    switch (config.modelType) {
      case 'bert': return this.linear('classifier', pooled)
      case 'roberta': return this.linear('classifier.out_proj', g.op('Tanh', [this.linear('classifier.dense', pooled)]))
      case 'distilbert': return this.linear('classifier', g.op('Relu', [this.linear('pre_classifier', pooled)]))
    }
  }

  private firstToken(hidden: string): string {
    return this.g.op('Gather', [hidden, this.g.int64([0], [])], { axis: int(1) })
  }

  private linear(name: string, x: string): string {
    const { g } = this
    const { weightT, inFeatures, outFeatures, bias } = foldedLinear(this.model, name)
    const product = g.op('MatMul', [x, g.weight(`${name}.weight_transposed`, weightT, [inFeatures, outFeatures])])
    return bias ? g.op('Add', [product, g.weight(`${name}.bias`, bias, [outFeatures])]) : product
  }

  private layerNorm(name: string, x: string): string {
    return this.g.op('LayerNormalization', [x, this.parameter(`${name}.weight`), this.parameter(`${name}.bias`)],
      { axis: int(-1), epsilon: float(this.config.layerNormEps) })
  }

  /** A parameter as it is, under its checkpoint name. */
  private parameter(name: string): string {
    const variable = this.model.weight(name)
    return this.g.weight(name, variable.dataSync() as Float32Array, variable.shape)
  }

  /** One row of an embedding table, [hidden]. */
  private parameterRow(name: string, row: number): string {
    const variable = this.model.weight(name)
    const size = variable.shape[1]!
    return this.g.weight(`${name}.row${row}`, (variable.dataSync() as Float32Array).slice(row * size, (row + 1) * size), [size])
  }
}
