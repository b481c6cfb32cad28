/**
 * A token-classification model (HF `BertForTokenClassification`): the encoder's last
 * hidden states → dropout → a linear `classifier` [numTags, hidden] per position. It
 * reuses SequenceClassifier's parameters and PEFT hooks, whose BERT head is exactly
 * that linear layer, so every PEFT method applies, targets and saves it unchanged
 * (`modules_to_save: ['classifier']`). Only BERT-type encoders are supported: the
 * other families' sequence heads (RoBERTa's dense + out_proj, DistilBERT's
 * pre_classifier) are not the token head, and Llama has no token head in this study.
 */
import * as tf from '@tensorflow/tfjs'
import type { EntitySpan } from '@bankbench/metrics'
import { createSequenceClassifier, ForwardContext, withLabels } from '../models'
import type { EncoderInputs, ModelConfig, SequenceClassifier } from '../models'
import { classifierDropout } from '../models/bert'
import type { EncoderConfig } from '../models/config'
import type { NamedTensor } from '../io/safetensors'
import type { Tokenizer } from '../tokenizer'
import { batchInputs } from '../fine-tune/encoded-examples'
import { tagIdsToSpans } from './bio-tags'
import { pieceOffsets } from './piece-offsets'
import type { PieceOffset } from './piece-offsets'

/** The token head's linear layer (HF's name in *ForTokenClassification). */
export const TOKEN_HEAD = 'classifier'

/**
 * The base config with the tag set as labels. The pooler is dropped (no pooling reads
 * it in token classification, and a parameter without a gradient would be trained and
 * saved as noise): `classifier_pooling` other than 'model' leaves it out of BERT.
 */
export function tokenClassifierConfig(config: ModelConfig, tags: readonly string[]): EncoderConfig {
  if (config.modelType !== 'bert') throw new Error(`token classification supports BERT-type encoders; this base model is ${config.modelType}`)
  const pooling = config.classifierPooling === undefined || config.classifierPooling === 'model' ? 'cls' : config.classifierPooling
  return withLabels({ ...config, classifierPooling: pooling }, tags)
}

export function createTokenModel(config: ModelConfig, tags: readonly string[], weights: Map<string, NamedTensor> | undefined, seed: number): SequenceClassifier<EncoderConfig> {
  return createSequenceClassifier(tokenClassifierConfig(config, tags), weights, { seed })
}

/** Tag logits [batch, seq, numTags]. Call inside tf.tidy. */
export function tokenLogits(model: SequenceClassifier, inputs: EncoderInputs, training: boolean, seed?: number): tf.Tensor3D {
  const { lastHiddenState } = model.encode(inputs, { training, seed, pooling: 'cls' })
  // The head's dropout draws from its own seed stream, so it never repeats an encoder mask.
  const context = new ForwardContext(training, seed === undefined ? undefined : seed ^ 0x5bd1e995)
  const config = model.config as EncoderConfig
  return model.linear(TOKEN_HEAD, context.dropout(lastHiddenState, classifierDropout(config)), context) as tf.Tensor3D
}

export interface TextEntities {
  text: string
  entities: (EntitySpan & { text: string })[]
}

/** A token classifier with its tokenizer: texts in, typed character spans out. */
export class TokenClassifier {
  constructor(
    readonly model: SequenceClassifier,
    readonly tokenizer: Tokenizer,
    /** Longest input in tokens, special tokens included; later pieces get no tag. */
    readonly maxLength: number,
  ) {}

  get tags(): readonly string[] {
    return this.model.config.id2label
  }

  predict(texts: readonly string[], { batchSize = 32 }: { batchSize?: number } = {}): TextEntities[] {
    const results: TextEntities[] = []
    for (let start = 0; start < texts.length; start += batchSize) {
      const chunk = texts.slice(start, start + batchSize)
      const encoded = chunk.map((text) => this.encode(text))
      const rows = encoded.map((entry) => entry.tokenIds)
      const width = rows.reduce((longest, row) => Math.max(longest, row.length), 1)
      const best = tf.tidy(() => tokenLogits(this.model, batchInputs(rows, this.tokenizer.padTokenId), false).argMax(2))
      const values = best.dataSync() as Int32Array
      best.dispose()
      encoded.forEach((entry, row) => {
        // Position 0 is [CLS]: piece p sits at p + 1.
        const tagIds = entry.offsets.map((_, piece) => values[row * width + piece + 1]!)
        const spans = tagIdsToSpans(tagIds, entry.offsets, this.tags)
        results.push({ text: chunk[row]!, entities: spans.map((span) => ({ ...span, text: chunk[row]!.slice(span.start, span.end) })) })
      })
    }
    return results
  }

  /** [CLS] pieces [SEP], the pieces cut to fit maxLength, and the kept pieces' offsets. */
  encode(text: string): { tokenIds: Int32Array; offsets: (PieceOffset | null)[] } {
    const { ids, offsets } = pieceOffsets(this.tokenizer, text)
    return encodeWithSpecials(this.tokenizer, ids, offsets, this.maxLength)
  }

  dispose(): void {
    this.model.dispose()
  }
}

/** BERT's template around the pieces; the encoders here all put one special token on each side. */
export function encodeWithSpecials(tokenizer: Tokenizer, ids: readonly number[], offsets: readonly (PieceOffset | null)[], maxLength: number) {
  if (tokenizer.clsTokenId === null || tokenizer.sepTokenId === null) throw new Error('token classification needs a tokenizer with [CLS] and [SEP] tokens')
  const kept = Math.max(0, Math.min(ids.length, maxLength - 2))
  return {
    tokenIds: Int32Array.from([tokenizer.clsTokenId, ...ids.slice(0, kept), tokenizer.sepTokenId]),
    offsets: offsets.slice(0, kept),
  }
}
