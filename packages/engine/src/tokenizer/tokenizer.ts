/**
 * A Hugging Face `tokenizer.json` tokenizer with the batch API the models need:
 * truncated, padded rows of ids and attention masks, row-major, ready for
 * `tf.tensor2d(inputIds, [batchSize, sequenceLength], 'int32')`.
 *
 * The tokenization itself is `@huggingface/tokenizers` (pure JS, WordPiece, BPE,
 * Unigram); that package encodes one text at a time and neither pads nor truncates.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'

/** The parts of a `tokenizer.json` this module reads; the rest is passed through as is. */
export interface TokenizerJson {
  model: { type: string; [key: string]: unknown }
  added_tokens?: AddedTokenJson[]
  [key: string]: unknown
}

export interface AddedTokenJson {
  id: number
  content: string
  single_word?: boolean
  lstrip?: boolean
  rstrip?: boolean
  normalized?: boolean
  special?: boolean
}

/** The special-token fields of a `tokenizer_config.json` (all optional). */
export interface TokenizerConfigJson {
  pad_token?: string
  cls_token?: string
  sep_token?: string
  mask_token?: string
  unk_token?: string
  bos_token?: string
  eos_token?: string
  [key: string]: unknown
}

export interface EncodeBatchOptions {
  /** Longest row returned when truncating; the row length when padding to max_length. */
  maxLength: number
  /** 'longest' pads to the longest row of this batch, 'max_length' to maxLength. Default 'longest'. */
  padding?: 'longest' | 'max_length'
  /** Cut rows longer than maxLength (keeping the special tokens). Default true. */
  truncation?: boolean
}

export interface EncodedBatch {
  /** [batchSize, sequenceLength] row-major token ids, padded with padTokenId. */
  inputIds: Int32Array
  /** [batchSize, sequenceLength] row-major: 1 for a real token, 0 for padding. */
  attentionMask: Int32Array
  batchSize: number
  sequenceLength: number
}

/** Conventional names of each special token, BERT's first, then RoBERTa/Llama's. */
const SPECIAL_TOKEN_NAMES = {
  pad: ['[PAD]', '<pad>'],
  cls: ['[CLS]', '<s>'],
  sep: ['[SEP]', '</s>'],
  mask: ['[MASK]', '<mask>'],
  unk: ['[UNK]', '<unk>'],
} as const

type SpecialTokenRole = keyof typeof SPECIAL_TOKEN_NAMES

export class Tokenizer {
  /** Id used for padding; 0 when the vocabulary has no pad token (masked out anyway). */
  readonly padTokenId: number
  readonly clsTokenId: number | null
  readonly sepTokenId: number | null
  readonly maskTokenId: number | null
  readonly unkTokenId: number | null
  /** Rows an embedding table needs: the largest id plus one. */
  readonly vocabSize: number

  private constructor(
    private readonly hf: HfTokenizer,
    /** The tokenizer.json it was built from, kept to save it unchanged. */
    readonly json: TokenizerJson,
    config: TokenizerConfigJson,
  ) {
    const vocabulary = hf.get_vocab(true)
    const idOf = (role: SpecialTokenRole): number | null => {
      const configured = config[`${role}_token`]
      const names = typeof configured === 'string' ? [configured] : SPECIAL_TOKEN_NAMES[role]
      for (const name of names) {
        const id = vocabulary.get(name)
        if (id !== undefined) return id
      }
      return null
    }
    this.padTokenId = idOf('pad') ?? 0
    this.clsTokenId = idOf('cls')
    this.sepTokenId = idOf('sep')
    this.maskTokenId = idOf('mask')
    this.unkTokenId = idOf('unk')
    this.vocabSize = [...vocabulary.values()].reduce((largest, id) => Math.max(largest, id), -1) + 1
  }

  /** Builds a tokenizer from a parsed `tokenizer.json` (and, optionally, `tokenizer_config.json`). */
  static fromJSON(tokenizerJson: object, tokenizerConfig: TokenizerConfigJson = {}): Tokenizer {
    const json = tokenizerJson as TokenizerJson
    if (typeof json.model !== 'object' || json.model === null) throw new Error('tokenizer.json has no "model" section')
    // @huggingface/tokenizers requires these keys to exist, even when null.
    const complete = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json }
    return new Tokenizer(new HfTokenizer(complete, tokenizerConfig), json, tokenizerConfig)
  }

  /** Token ids of one text, with the template's special tokens ([CLS] ... [SEP]) unless told otherwise. */
  encode(text: string, { addSpecialTokens = true }: { addSpecialTokens?: boolean } = {}): number[] {
    return this.hf.encode(text, { add_special_tokens: addSpecialTokens }).ids
  }

  /** Token strings of one text, without special tokens. */
  tokenize(text: string): string[] {
    return this.hf.tokenize(text)
  }

  decode(ids: number[], { skipSpecialTokens = true }: { skipSpecialTokens?: boolean } = {}): string {
    return ids.length === 0 ? '' : this.hf.decode(ids, { skip_special_tokens: skipSpecialTokens })
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token)
  }

  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id)
  }

  encodeBatch(texts: readonly string[], { maxLength, padding = 'longest', truncation = true }: EncodeBatchOptions): EncodedBatch {
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`encodeBatch: maxLength must be a positive integer, got ${maxLength}`)
    const rows = texts.map((text) => (truncation ? this.encodeTruncated(text, maxLength) : this.encode(text)))
    const longest = rows.reduce((length, row) => Math.max(length, row.length), 0)
    const sequenceLength = padding === 'max_length' ? Math.max(maxLength, longest) : longest
    const inputIds = new Int32Array(rows.length * sequenceLength).fill(this.padTokenId)
    const attentionMask = new Int32Array(rows.length * sequenceLength)
    rows.forEach((row, index) => {
      inputIds.set(row, index * sequenceLength)
      attentionMask.fill(1, index * sequenceLength, index * sequenceLength + row.length)
    })
    return { inputIds, attentionMask, batchSize: rows.length, sequenceLength }
  }

  /**
   * Cuts the text's own tokens, never the special ones, so a truncated row still
   * starts with [CLS] and ends with [SEP] (or whatever the template adds).
   */
  private encodeTruncated(text: string, maxLength: number): number[] {
    const withSpecials = this.encode(text)
    if (withSpecials.length <= maxLength) return withSpecials
    const body = this.encode(text, { addSpecialTokens: false })
    const specialCount = withSpecials.length - body.length
    if (specialCount >= maxLength) throw new Error(`encodeBatch: maxLength ${maxLength} leaves no room beside ${specialCount} special tokens`)
    const prefixLength = templatePrefixLength(withSpecials, body)
    return [
      ...withSpecials.slice(0, prefixLength),
      ...body.slice(0, maxLength - specialCount),
      ...withSpecials.slice(prefixLength + body.length),
    ]
  }

  toJSON(): TokenizerJson {
    return this.json
  }
}

/** Where the text's tokens start inside the post-processed row (the number of leading special tokens). */
function templatePrefixLength(withSpecials: number[], body: number[]): number {
  for (let prefix = 0; prefix + body.length <= withSpecials.length; prefix++) {
    if (body.every((id, i) => withSpecials[prefix + i] === id)) return prefix
  }
  throw new Error('encodeBatch: the post-processor does more than add special tokens around the text; cannot truncate it')
}
