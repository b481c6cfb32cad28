/**
 * Reference values: BLEU and the 13a tokenizer from sacreBLEU's own code (mjpost/sacrebleu
 * at commit f615c728, January 2026, `sacrebleu.corpus_bleu` run with python 3.11 on these
 * exact inputs); ROUGE from google-research's rouge/rouge_scorer.py + tokenize.py (the
 * rouge-score package's source, use_stemmer=False) run on these inputs. Perplexity and
 * cosine are worked by hand in the comments.
 */
import { describe, expect, it } from 'vitest'
import { corpusBleu, tokenize13a } from './bleu'
import { exactMatch } from './exact-match'
import { perplexity } from './perplexity'
import { corpusRouge, rougeScores } from './rouge'
import { cosine, semanticSimilarity } from './semantic-similarity'

const HYPOTHESES = [
  'Your card will arrive in 3-5 working days.',
  "We can't refund a payment of $1,000.50 without a receipt!",
  'Please freeze the card in the app.',
  "Top up by bank transfer &amp; it's free",
]
const REFERENCES = [
  'Your new card arrives in 3-5 working days.',
  'We cannot refund the $1,000.50 payment without proof of purchase.',
  'You can freeze your card in the app.',
  'Top-ups by bank transfer are free.',
]
const SECOND_REFERENCES = [
  'The card should arrive within 5 working days.',
  'A refund of $1,000.50 needs a receipt.',
  'Freeze the card in the app, please.',
  'A bank transfer top up is free of charge.',
]

describe('tokenize13a', () => {
  it('splits text as sacreBLEU Tokenizer13a does', () => {
    const expected: Record<string, string> = {
      "We can't refund a payment of $1,000.50 without a receipt!": "We can't refund a payment of $ 1,000.50 without a receipt !",
      'Your card will arrive in 3-5 working days.': 'Your card will arrive in 3 - 5 working days .',
      "Top up by bank transfer &amp; it's free": "Top up by bank transfer & it's free",
      'Top-ups by bank transfer are free.': 'Top-ups by bank transfer are free .',
      'It costs 1,000.50 - or 3.5%, (approx.)': 'It costs 1,000.50 - or 3.5 % , ( approx . )',
      'a&lt;b &quot;q&quot; x-y 2-3 end.': 'a < b " q " x-y 2 - 3 end .',
    }
    for (const [input, output] of Object.entries(expected)) expect(tokenize13a(input)).toBe(output)
  })
})

describe('corpusBleu', () => {
  it('matches sacreBLEU on one reference stream', () => {
    const bleu = corpusBleu(HYPOTHESES, [REFERENCES])
    expect(bleu.score).toBeCloseTo(35.55192226619022, 10)
    expect(bleu.correct).toEqual([26, 13, 9, 6])
    expect(bleu.total).toEqual([39, 35, 31, 27])
    expect(bleu.precisions[1]).toBeCloseTo(37.142857142857146, 10)
    expect([bleu.brevityPenalty, bleu.hypothesisLength, bleu.referenceLength]).toEqual([1, 39, 39])
    // Every order has matches here, so smoothing changes nothing; lowercasing neither (same-case matches).
    expect(corpusBleu(HYPOTHESES, [REFERENCES], { smoothing: 'none' }).score).toBeCloseTo(35.55192226619022, 10)
    expect(corpusBleu(HYPOTHESES, [REFERENCES], { lowercase: true }).score).toBeCloseTo(35.55192226619022, 10)
  })

  it('matches sacreBLEU with two reference streams (max counts, closest length)', () => {
    const bleu = corpusBleu(HYPOTHESES, [REFERENCES, SECOND_REFERENCES])
    expect(bleu.score).toBeCloseTo(42.75910172654453, 10)
    expect(bleu.precisions[0]).toBeCloseTo(79.48717948717949, 10)
    expect(bleu.precisions[3]).toBeCloseTo(25.925925925925927, 10)
  })

  it('applies the brevity penalty and sacreBLEU exp smoothing for an order with no match', () => {
    const hypotheses = ['my card was blocked yesterday', 'card declined']
    const references = [['my card was declined today', 'my card was declined']]
    const smoothed = corpusBleu(hypotheses, references)
    expect(smoothed.score).toBeCloseTo(29.519129053903107, 10)
    expect(smoothed.brevityPenalty).toBeCloseTo(0.7514772930752859, 12)
    expect([smoothed.hypothesisLength, smoothed.referenceLength]).toEqual([7, 9])
    expect(smoothed.precisions[3]).toBeCloseTo(25, 10)
    expect(corpusBleu(hypotheses, references, { smoothing: 'none' }).score).toBe(0)
  })

  it('scores 0 when a higher order has no n-gram at all (sacreBLEU stops there)', () => {
    const bleu = corpusBleu(['the cat', 'card'], [['the cat sat on the mat', 'my card']])
    expect(bleu.score).toBe(0)
    expect(bleu.brevityPenalty).toBeCloseTo(0.18887560283756186, 12)
    expect(bleu.precisions).toEqual([100, 100, 0, 0])
  })
})

describe('ROUGE', () => {
  // [precision, recall, F1] per pair, from rouge_scorer.score(reference, hypothesis).
  const EXPECTED = [
    { rouge1: [0.7777777777777778, 0.7777777777777778, 0.7777777777777778], rouge2: [0.5, 0.5, 0.5], rougeL: [0.7777777777777778, 0.7777777777777778, 0.7777777777777778] },
    { rouge1: [0.6153846153846154, 0.6666666666666666, 0.64], rouge2: [0.16666666666666666, 0.18181818181818182, 0.17391304347826086], rougeL: [0.46153846153846156, 0.5, 0.48000000000000004] },
    { rouge1: [0.7142857142857143, 0.625, 0.6666666666666666], rouge2: [0.5, 0.42857142857142855, 0.4615384615384615], rougeL: [0.7142857142857143, 0.625, 0.6666666666666666] },
    { rouge1: [0.5555555555555556, 0.7142857142857143, 0.6250000000000001], rouge2: [0.25, 0.3333333333333333, 0.28571428571428575], rougeL: [0.5555555555555556, 0.7142857142857143, 0.6250000000000001] },
  ] as const

  it('matches rouge-score pair by pair', () => {
    HYPOTHESES.forEach((hypothesis, index) => {
      const scores = rougeScores(REFERENCES[index]!, hypothesis)
      for (const type of ['rouge1', 'rouge2', 'rougeL'] as const) {
        const [precision, recall, f1] = EXPECTED[index]![type]
        expect(scores[type].precision).toBeCloseTo(precision, 12)
        expect(scores[type].recall).toBeCloseTo(recall, 12)
        expect(scores[type].f1).toBeCloseTo(f1, 12)
      }
    })
  })

  it('averages F1 over pairs, and handles empty text and repeats as rouge-score does', () => {
    const corpus = corpusRouge(REFERENCES, HYPOTHESES)
    expect(corpus.rougeL.f1).toBeCloseTo((0.7777777777777778 + 0.48000000000000004 + 0.6666666666666666 + 0.6250000000000001) / 4, 12)
    expect(rougeScores('', 'anything').rouge1.f1).toBe(0)
    const repeated = rougeScores('The cat, the cat!', 'the the cat cat')
    expect(repeated.rouge1.f1).toBe(1)
    expect(repeated.rouge2.f1).toBeCloseTo(1 / 3, 12)
    expect(repeated.rougeL.f1).toBeCloseTo(0.75, 12)
  })
})

describe('exactMatch', () => {
  it('is the percentage of whitespace-normalised equal pairs', () => {
    expect(exactMatch(['card_arrival ', 'lost  card', 'Top up'], ['card_arrival', 'lost card', 'top up'])).toBeCloseTo(200 / 3, 12)
    expect(exactMatch(['Top up'], ['top up'], { ignoreCase: true })).toBe(100)
    expect(exactMatch([], [])).toBe(0)
  })
})

describe('perplexity', () => {
  it('is exp of the token-weighted mean negative log-likelihood', () => {
    // Tokens with probabilities 1/2, 1/4 (text 1) and 1/8 (text 2): mean NLL = (ln 2 + ln 4 + ln 8) / 3 = 2 ln 2, perplexity 4.
    const result = perplexity([[Math.log(0.5), Math.log(0.25)], [Math.log(0.125)]])
    expect(result.perplexity).toBeCloseTo(4, 12)
    expect(result.meanNegativeLogLikelihood).toBeCloseTo(2 * Math.LN2, 12)
    expect(result.tokens).toBe(3)
    // A model that is certain and right has perplexity 1; a uniform guess over V tokens has perplexity V.
    expect(perplexity([[0, 0]]).perplexity).toBe(1)
    expect(perplexity([new Float64Array(5).fill(-Math.log(30))]).perplexity).toBeCloseTo(30, 10)
    expect(() => perplexity([[0.1]])).toThrow(/<= 0/)
  })
})

describe('semanticSimilarity', () => {
  it('averages the cosine of each prediction/reference pair of embeddings', async () => {
    // cos([1,2,2],[2,1,2]) = (2+2+4)/(3*3) = 8/9; cos([1,0,0],[0,1,0]) = 0.
    expect(cosine([1, 2, 2], [2, 1, 2])).toBeCloseTo(8 / 9, 12)
    // A real (if simple) embedder: counts of the words "card", "lost", "balance".
    const vocabulary = ['card', 'lost', 'balance']
    const embed = (texts: readonly string[]) => ({
      rows: texts.length,
      columns: vocabulary.length,
      values: Float64Array.from(texts.flatMap((text) => vocabulary.map((word) => text.split(' ').filter((token) => token === word).length))),
    })
    const result = await semanticSimilarity(['card lost lost', 'card'], ['card card lost', 'balance'], embed)
    // [1,2,0]·[2,1,0] = 4, norms √5·√5: 4/5; [1,0,0]·[0,0,1] = 0.
    expect(result.perPair[0]).toBeCloseTo(0.8, 12)
    expect(result.perPair[1]).toBe(0)
    expect(result.meanCosine).toBeCloseTo(0.4, 12)
  })
})
