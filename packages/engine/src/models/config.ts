/**
 * Encoder configuration, read from (and written back to) a Hugging Face `config.json`.
 *
 * BERT and RoBERTa share BertConfig's field names; DistilBERT names the same things
 * differently (dim, n_layers, n_heads, hidden_dim, ...). Both are normalised into one
 * typed object so the model code reads the same for every architecture.
 */

export type EncoderModelType = 'bert' | 'roberta' | 'distilbert'

/** HF activation names: "gelu" is the exact erf form; "gelu_new"/"gelu_pytorch_tanh" the tanh approximation. */
export type HiddenActivation = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu'

/**
 * The sentence vector the classification head reads: `model` is the family's own (BERT's
 * pooler, the first token for RoBERTa and DistilBERT), `cls` the first token's last
 * hidden state, `mean` the average over non-padding tokens. Not an HF field: HF's
 * encoders always use `model`; a small backbone pretrained here with masked-language
 * modelling alone never trains its first token or pooler, so it records `mean`.
 */
export type Pooling = 'model' | 'cls' | 'mean'

export interface EncoderConfig {
  modelType: EncoderModelType
  vocabSize: number
  hiddenSize: number
  numHiddenLayers: number
  numAttentionHeads: number
  intermediateSize: number
  hiddenAct: HiddenActivation
  maxPositionEmbeddings: number
  /** 0 for DistilBERT, which has no token type embeddings. */
  typeVocabSize: number
  layerNormEps: number
  hiddenDropoutProb: number
  attentionProbsDropoutProb: number
  /** Dropout before the classifier; BERT/RoBERTa fall back to hiddenDropoutProb when it is null. */
  classifierDropout: number | null
  initializerRange: number
  padTokenId: number
  /** Label names by class index; its length is num_labels. */
  id2label: string[]
  /** config.json's `classifier_pooling`; absent means 'model'. */
  classifierPooling?: Pooling
}

export type Json = Record<string, unknown>

const ACTIVATIONS: readonly HiddenActivation[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu']
const POOLINGS: readonly Pooling[] = ['model', 'cls', 'mean']

/** Parses an HF config.json object. Throws naming the field that is missing or wrong. */
export function parseEncoderConfig(json: Json): EncoderConfig {
  const modelType = json.model_type
  if (modelType !== 'bert' && modelType !== 'roberta' && modelType !== 'distilbert') {
    throw new Error(`config.json: model_type ${JSON.stringify(modelType)} is not supported; use bert, roberta or distilbert`)
  }
  const id2label = parseLabels(json)
  if (modelType === 'distilbert') {
    return {
      modelType,
      vocabSize: requireNumber(json, 'vocab_size'),
      hiddenSize: optionalNumber(json, 'dim', 768),
      numHiddenLayers: optionalNumber(json, 'n_layers', 6),
      numAttentionHeads: optionalNumber(json, 'n_heads', 12),
      intermediateSize: optionalNumber(json, 'hidden_dim', 3072),
      hiddenAct: parseActivation(json.activation ?? 'gelu'),
      maxPositionEmbeddings: optionalNumber(json, 'max_position_embeddings', 512),
      typeVocabSize: 0,
      layerNormEps: 1e-12, // fixed in modeling_distilbert.py
      hiddenDropoutProb: optionalNumber(json, 'dropout', 0.1),
      attentionProbsDropoutProb: optionalNumber(json, 'attention_dropout', 0.1),
      classifierDropout: optionalNumber(json, 'seq_classif_dropout', 0.2),
      initializerRange: optionalNumber(json, 'initializer_range', 0.02),
      padTokenId: optionalNumber(json, 'pad_token_id', 0),
      id2label,
      classifierPooling: parsePooling(json.classifier_pooling),
    }
  }
  const hiddenSize = optionalNumber(json, 'hidden_size', 768)
  return {
    modelType,
    vocabSize: requireNumber(json, 'vocab_size'),
    hiddenSize,
    numHiddenLayers: optionalNumber(json, 'num_hidden_layers', 12),
    numAttentionHeads: optionalNumber(json, 'num_attention_heads', 12),
    intermediateSize: optionalNumber(json, 'intermediate_size', 4 * hiddenSize),
    hiddenAct: parseActivation(json.hidden_act ?? 'gelu'),
    maxPositionEmbeddings: optionalNumber(json, 'max_position_embeddings', 512),
    typeVocabSize: optionalNumber(json, 'type_vocab_size', 2),
    layerNormEps: optionalNumber(json, 'layer_norm_eps', 1e-12),
    hiddenDropoutProb: optionalNumber(json, 'hidden_dropout_prob', 0.1),
    attentionProbsDropoutProb: optionalNumber(json, 'attention_probs_dropout_prob', 0.1),
    classifierDropout: json.classifier_dropout == null ? null : requireNumber(json, 'classifier_dropout'),
    initializerRange: optionalNumber(json, 'initializer_range', 0.02),
    padTokenId: optionalNumber(json, 'pad_token_id', modelType === 'roberta' ? 1 : 0),
    id2label,
    classifierPooling: parsePooling(json.classifier_pooling),
  }
}

/** The HF config.json for a config, so a checkpoint saved here loads in `transformers`. */
export function encoderConfigToJson(config: EncoderConfig): Json {
  const labels = labelsToJson(config.id2label)
  if (config.modelType === 'distilbert') {
    return {
      model_type: 'distilbert',
      architectures: ['DistilBertForSequenceClassification'],
      vocab_size: config.vocabSize,
      dim: config.hiddenSize,
      n_layers: config.numHiddenLayers,
      n_heads: config.numAttentionHeads,
      hidden_dim: config.intermediateSize,
      activation: config.hiddenAct,
      max_position_embeddings: config.maxPositionEmbeddings,
      sinusoidal_pos_embds: false,
      dropout: config.hiddenDropoutProb,
      attention_dropout: config.attentionProbsDropoutProb,
      seq_classif_dropout: config.classifierDropout,
      initializer_range: config.initializerRange,
      pad_token_id: config.padTokenId,
      ...labels,
      ...poolingToJson(config.classifierPooling),
    }
  }
  const architecture = config.modelType === 'bert' ? 'BertForSequenceClassification' : 'RobertaForSequenceClassification'
  return {
    model_type: config.modelType,
    architectures: [architecture],
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.hiddenAct,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    classifier_dropout: config.classifierDropout,
    initializer_range: config.initializerRange,
    pad_token_id: config.padTokenId,
    ...labels,
    ...poolingToJson(config.classifierPooling),
  }
}

/** The same config with a new label set (a base checkpoint rarely has the task's labels). */
export function withLabels<Config extends { id2label: string[] }>(config: Config, labels: readonly string[]): Config {
  return { ...config, id2label: [...labels] }
}

/** config.json's id2label and label2id. */
export function labelsToJson(id2label: readonly string[]): { id2label: Record<string, string>; label2id: Record<string, number> } {
  return {
    id2label: Object.fromEntries(id2label.map((label, index) => [String(index), label])),
    label2id: Object.fromEntries(id2label.map((label, index) => [label, index])),
  }
}

/** HF: id2label wins when present; otherwise num_labels (default 2) labels named LABEL_i. */
export function parseLabels(json: Json): string[] {
  const id2label = json.id2label as Record<string, string> | undefined
  if (id2label && Object.keys(id2label).length > 0) {
    const labels: string[] = []
    for (const [index, label] of Object.entries(id2label)) labels[Number(index)] = label
    if (labels.length !== Object.keys(id2label).length || labels.some((label) => label === undefined)) {
      throw new Error('config.json: id2label must have the keys 0..num_labels-1')
    }
    return labels
  }
  const numLabels = optionalNumber(json, 'num_labels', 2)
  return Array.from({ length: numLabels }, (_, index) => `LABEL_${index}`)
}

function parsePooling(value: unknown): Pooling {
  if (value === undefined || value === null) return 'model'
  if (!POOLINGS.includes(value as Pooling)) {
    throw new Error(`config.json: classifier_pooling ${JSON.stringify(value)} is not supported; use one of ${POOLINGS.join(', ')}`)
  }
  return value as Pooling
}

/** Written only when it is not HF's behaviour, so that HF checkpoints round-trip unchanged. */
function poolingToJson(pooling: Pooling | undefined): { classifier_pooling?: Pooling } {
  return pooling === undefined || pooling === 'model' ? {} : { classifier_pooling: pooling }
}

function parseActivation(value: unknown): HiddenActivation {
  if (!ACTIVATIONS.includes(value as HiddenActivation)) {
    throw new Error(`config.json: activation ${JSON.stringify(value)} is not supported; use one of ${ACTIVATIONS.join(', ')}`)
  }
  return value as HiddenActivation
}

export function requireNumber(json: Json, field: string): number {
  const value = json[field]
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`config.json: ${field} must be a number, got ${JSON.stringify(value)}`)
  return value
}

export function optionalNumber(json: Json, field: string, fallback: number): number {
  return json[field] === undefined || json[field] === null ? fallback : requireNumber(json, field)
}
