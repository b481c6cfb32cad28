import { loadBanking77 } from '@bankbench/data'
import { describe, expect, it } from 'vitest'
import { Tokenizer } from './tokenizer'
import { trainWordPiece } from './train-wordpiece'

const vocabularyOf = (json: ReturnType<typeof trainWordPiece>) => json.model.vocab as Record<string, number>

describe('trainWordPiece', () => {
  it('emits a complete BERT tokenizer.json: specials first, both forms of every character, frequent words merged', () => {
    const json = trainWordPiece(['Card card CARD cards', 'carded top-up'], { vocabSize: 100 })
    const vocabulary = vocabularyOf(json)
    expect(Object.entries(vocabulary).filter(([, id]) => id < 5).sort((a, b) => a[1] - b[1]).map(([token]) => token))
      .toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'])
    for (const character of 'cardsetopu-') {
      expect(vocabulary).toHaveProperty([character])
      expect(vocabulary).toHaveProperty([`##${character}`])
    }
    expect(vocabulary).toHaveProperty(['card'])
    expect(vocabulary).not.toHaveProperty(['Card'])
    expect(json).toMatchObject({
      normalizer: { type: 'BertNormalizer', lowercase: true, strip_accents: null },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: { type: 'TemplateProcessing', special_tokens: { '[CLS]': { ids: [2] }, '[SEP]': { ids: [3] } } },
      decoder: { type: 'WordPiece', prefix: '##' },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 },
    })
    expect(json.added_tokens?.map((token) => [token.id, token.content, token.special])).toEqual([
      [0, '[PAD]', true], [1, '[UNK]', true], [2, '[CLS]', true], [3, '[SEP]', true], [4, '[MASK]', true],
    ])
    const tokenizer = Tokenizer.fromJSON(json)
    expect(tokenizer.tokenize('CARDS')).toEqual(['card', '##s'])
    // "dc" never occurs, but both pieces exist, so an unseen word still avoids [UNK].
    expect(tokenizer.tokenize('dcp')).toEqual(['d', '##c', '##p'])
  })

  it('merges only pairs seen at least minFrequency times and stops at vocabSize', () => {
    const corpus = ['ab ab ab xy']
    expect(vocabularyOf(trainWordPiece(corpus, { vocabSize: 100, minFrequency: 2 }))).toHaveProperty(['ab'])
    expect(vocabularyOf(trainWordPiece(corpus, { vocabSize: 100, minFrequency: 2 }))).not.toHaveProperty(['xy'])
    expect(vocabularyOf(trainWordPiece(corpus, { vocabSize: 100, minFrequency: 1 }))).toHaveProperty(['xy'])
    const alphabetOnly = Object.keys(vocabularyOf(trainWordPiece(corpus, { vocabSize: 1 }))).length
    expect(alphabetOnly).toBe(5 + 4 * 2)
  })

  it('keeps accents when told to, strips them by default', () => {
    expect(Tokenizer.fromJSON(trainWordPiece(['café café'], { vocabSize: 50 })).tokenize('Café')).toEqual(['cafe'])
    expect(Tokenizer.fromJSON(trainWordPiece(['café café'], { vocabSize: 50, stripAccents: false })).tokenize('Café')).toEqual(['café'])
  })

  describe('on Banking77', () => {
    const { train, validation, test } = loadBanking77()
    const officialTrainText = [...train, ...validation].map((example) => example.text)

    it('learns a ~4,000-token vocabulary from the full training text in a few seconds', () => {
      const started = performance.now()
      const json = trainWordPiece(officialTrainText, { vocabSize: 4000, minFrequency: 1 })
      const seconds = (performance.now() - started) / 1000
      expect(seconds).toBeLessThan(5)

      // Through JSON text and back, as it travels in a checkpoint.
      const tokenizer = Tokenizer.fromJSON(JSON.parse(JSON.stringify(json)))
      expect(tokenizer.vocabSize).toBeGreaterThan(3500)
      expect(tokenizer.vocabSize).toBeLessThanOrEqual(4000)
      expect(tokenizer.tokenize('I lost my card')).toEqual(['i', 'lost', 'my', 'card'])
      expect(tokenizer.tokenize("Why hasn't my top-up gone through?")).toEqual(['why', 'hasn', "'", 't', 'my', 'top', '-', 'up', 'gone', 'through', '?'])
      const encoded = tokenizer.encode('I lost my card')
      expect(encoded[0]).toBe(tokenizer.clsTokenId)
      expect(encoded.at(-1)).toBe(tokenizer.sepTokenId)
      expect(tokenizer.decode(encoded)).toBe('i lost my card')

      const testIds = test.flatMap((example) => tokenizer.encode(example.text, { addSpecialTokens: false }))
      const unknownShare = testIds.filter((id) => id === tokenizer.unkTokenId).length / testIds.length
      expect(unknownShare).toBeLessThan(0.001)
    })

    it('is deterministic', () => {
      const texts = officialTrainText.slice(0, 2000)
      expect(JSON.stringify(trainWordPiece(texts, { vocabSize: 1500 }))).toBe(JSON.stringify(trainWordPiece(texts, { vocabSize: 1500 })))
    })
  })
})
