import { describe, expect, it } from 'vitest'
import { Tokenizer } from './tokenizer'

/** A BERT tokenizer.json as Hugging Face writes it, cut down to a dozen words. */
const VOCABULARY = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'i', 'lost', 'my', 'card', '##s', 'top', '##up', '?', 'un', '##able']
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
const bertTokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [],
    special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: Object.fromEntries(VOCABULARY.map((token, id) => [token, id])),
  },
}

const tokenizer = Tokenizer.fromJSON(bertTokenizerJson)
const id = (token: string) => VOCABULARY.indexOf(token)

describe('Tokenizer', () => {
  it('encodes a BERT tokenizer.json: lowercase, punctuation split, ## pieces, [CLS] ... [SEP]', () => {
    expect(tokenizer.tokenize('I lost my CARDS?')).toEqual(['i', 'lost', 'my', 'card', '##s', '?'])
    expect(tokenizer.encode('Topup unable')).toEqual([2, id('top'), id('##up'), id('un'), id('##able'), 3])
    expect(tokenizer.encode('zebra')).toEqual([2, id('[UNK]'), 3])
    expect(tokenizer.decode(tokenizer.encode('I lost my cards'))).toBe('i lost my cards')
  })

  it('finds the special tokens and the vocabulary size', () => {
    expect(tokenizer).toMatchObject({ padTokenId: 0, unkTokenId: 1, clsTokenId: 2, sepTokenId: 3, maskTokenId: 4, vocabSize: VOCABULARY.length })
  })

  it('pads to the longest row with padTokenId and masks the padding', () => {
    const batch = tokenizer.encodeBatch(['i lost my card', 'topup'], { maxLength: 16 })
    expect(batch).toMatchObject({ batchSize: 2, sequenceLength: 6 })
    expect([...batch.inputIds]).toEqual([2, 5, 6, 7, 8, 3, /* row 2 */ 2, 10, 11, 3, 0, 0])
    expect([...batch.attentionMask]).toEqual([1, 1, 1, 1, 1, 1, /* row 2 */ 1, 1, 1, 1, 0, 0])
  })

  it('pads to maxLength with padding max_length', () => {
    const batch = tokenizer.encodeBatch(['card'], { maxLength: 5, padding: 'max_length' })
    expect(batch.sequenceLength).toBe(5)
    expect([...batch.inputIds]).toEqual([2, 8, 3, 0, 0])
    expect([...batch.attentionMask]).toEqual([1, 1, 1, 0, 0])
  })

  it('truncates the text but keeps [CLS] and [SEP]', () => {
    const batch = tokenizer.encodeBatch(['i lost my card ?', 'my card'], { maxLength: 4 })
    expect(batch.sequenceLength).toBe(4)
    expect([...batch.inputIds]).toEqual([2, 5, 6, 3, /* row 2 */ 2, 7, 8, 3])
    expect(() => tokenizer.encodeBatch(['i lost'], { maxLength: 2 })).toThrow(/no room beside 2 special tokens/)
  })

  it('leaves long rows whole without truncation', () => {
    const batch = tokenizer.encodeBatch(['i lost my card', 'i'], { maxLength: 4, padding: 'max_length', truncation: false })
    expect(batch.sequenceLength).toBe(6)
    expect([...batch.attentionMask.subarray(6)]).toEqual([1, 1, 1, 0, 0, 0])
  })

  it('takes special-token names from tokenizer_config.json when given', () => {
    const custom = Tokenizer.fromJSON(bertTokenizerJson, { pad_token: '[MASK]' })
    expect(custom.padTokenId).toBe(4)
  })

  it('returns an empty batch for no texts', () => {
    expect(tokenizer.encodeBatch([], { maxLength: 8 })).toMatchObject({ batchSize: 0, sequenceLength: 0 })
  })
})
