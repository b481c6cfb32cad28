/**
 * Any model family's config: encoders (BERT, RoBERTa, DistilBERT) and decoders
 * (Llama). `modelType` tells them apart; the fields every family has (vocabSize,
 * hiddenSize, maxPositionEmbeddings, id2label, ...) read the same on each.
 */
import { encoderConfigToJson, parseEncoderConfig } from './config'
import type { EncoderConfig, Json } from './config'
import { llamaConfigToJson, parseLlamaConfig } from './llama-config'
import type { LlamaConfig } from './llama-config'

export type ModelConfig = EncoderConfig | LlamaConfig

export type ModelType = ModelConfig['modelType']

/** Parses an HF config.json of any supported model_type. */
export function parseModelConfig(json: Json): ModelConfig {
  switch (json.model_type) {
    case 'llama': return parseLlamaConfig(json)
    case 'bert': case 'roberta': case 'distilbert': return parseEncoderConfig(json)
    default: throw new Error(`config.json: model_type ${JSON.stringify(json.model_type)} is not supported; use bert, roberta, distilbert or llama`)
  }
}

/** The HF config.json for a config, so a checkpoint saved here loads in `transformers`. */
export function modelConfigToJson(config: ModelConfig): Json {
  return config.modelType === 'llama' ? llamaConfigToJson(config) : encoderConfigToJson(config)
}
