/**
 * The `tokenizer.json` of a BERT-style WordPiece tokenizer, field for field as
 * Hugging Face `tokenizers` writes it for `bert-base-uncased`, so the file loads in
 * Python (`PreTrainedTokenizerFast(tokenizer_file=...)`) as well as here.
 */
import type { AddedTokenJson, TokenizerJson } from './tokenizer'

/** BERT's special tokens, in the order they take the first ids ([PAD] = 0). */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const

export const CONTINUING_SUBWORD_PREFIX = '##'

export interface BertNormalizerOptions {
  lowercase: boolean
  /** null: strip accents exactly when lowercasing (BERT's default). */
  stripAccents: boolean | null
}

export function bertNormalizerJson({ lowercase, stripAccents }: BertNormalizerOptions) {
  return { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: stripAccents, lowercase }
}

/** `vocabulary` lists tokens by id and starts with BERT_SPECIAL_TOKENS. */
export function bertTokenizerJson(vocabulary: readonly string[], normalizer: BertNormalizerOptions): TokenizerJson {
  const idOf = (token: string) => {
    const id = vocabulary.indexOf(token)
    if (id < 0) throw new Error(`the vocabulary lacks the special token ${token}`)
    return id
  }
  const addedTokens: AddedTokenJson[] = BERT_SPECIAL_TOKENS.map((content) => ({
    id: idOf(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }))
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } })
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } })
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: bertNormalizerJson(normalizer),
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0), sequence('B', 1), special('[SEP]', 1)],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [idOf(token)], tokens: [token] }])),
    },
    decoder: { type: 'WordPiece', prefix: CONTINUING_SUBWORD_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: CONTINUING_SUBWORD_PREFIX,
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, id) => [token, id])),
    },
  }
}
