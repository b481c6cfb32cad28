/**
 * Learns a BERT-style WordPiece vocabulary from raw text, the way Hugging Face's
 * `WordPieceTrainer` does: words are split into characters (non-initial ones
 * marked `##`), then the most frequent adjacent pair of pieces is merged, again
 * and again, until the vocabulary is full or no pair is frequent enough. The
 * merged pieces become the vocabulary; encoding is WordPiece's greedy
 * longest-match, so the merge order itself is not kept.
 *
 * Text is normalised and pre-tokenised by the same `@huggingface/tokenizers`
 * components that encode it later, so training and encoding see the same words.
 */
import { BertNormalizer, BertPreTokenizer } from '@huggingface/tokenizers'
import { BERT_SPECIAL_TOKENS, CONTINUING_SUBWORD_PREFIX, bertNormalizerJson, bertTokenizerJson } from './bert-tokenizer-json'
import type { TokenizerJson } from './tokenizer'

export interface TrainWordPieceOptions {
  /** Target vocabulary size, special tokens and alphabet included. */
  vocabSize: number
  /** A pair is merged only if it occurs at least this often. Default 2. */
  minFrequency?: number
  /** Default true. */
  lowercase?: boolean
  /** Default: strip accents exactly when lowercasing (BERT's rule). */
  stripAccents?: boolean
}

export function trainWordPiece(corpus: Iterable<string>, options: TrainWordPieceOptions): TokenizerJson {
  const { vocabSize, minFrequency = 2, lowercase = true } = options
  const normalizerOptions = { lowercase, stripAccents: options.stripAccents ?? null }
  const wordCounts = countWords(corpus, normalizerOptions)
  const pieces = new PieceTable()
  for (const token of BERT_SPECIAL_TOKENS) pieces.idOf(token)
  addAlphabet(pieces, wordCounts.keys())
  const words = [...wordCounts].map(([word, count]) => ({
    pieces: [...word].map((character, i) => pieces.idOf(i === 0 ? character : CONTINUING_SUBWORD_PREFIX + character)),
    count,
  }))
  mergeFrequentPairs(words, pieces, { vocabSize, minFrequency })
  return bertTokenizerJson(pieces.tokens, normalizerOptions)
}

function countWords(corpus: Iterable<string>, normalizerOptions: { lowercase: boolean; stripAccents: boolean | null }): Map<string, number> {
  // The library's type for strip_accents omits null, which it does accept (and means "follow lowercase").
  const normalizer = new BertNormalizer(bertNormalizerJson(normalizerOptions) as ConstructorParameters<typeof BertNormalizer>[0])
  const preTokenizer = new BertPreTokenizer()
  const counts = new Map<string, number>()
  for (const text of corpus) {
    for (const word of preTokenizer.pre_tokenize_text(normalizer.normalize(text))) counts.set(word, (counts.get(word) ?? 0) + 1)
  }
  return counts
}

/**
 * Every character in both forms, word-initial and `##` continuation, in sorted
 * order. HF adds only the forms it has seen; having both means a character seen
 * only at the start of training words still encodes inside a new word instead of
 * turning the whole word into [UNK].
 */
function addAlphabet(pieces: PieceTable, words: Iterable<string>): void {
  const characters = new Set<string>()
  for (const word of words) for (const character of word) characters.add(character)
  const sorted = [...characters].sort()
  for (const character of sorted) pieces.idOf(character)
  for (const character of sorted) pieces.idOf(CONTINUING_SUBWORD_PREFIX + character)
}

/** Token strings by id, and the reverse. */
class PieceTable {
  readonly tokens: string[] = []
  private readonly ids = new Map<string, number>()

  idOf(token: string): number {
    let id = this.ids.get(token)
    if (id === undefined) {
      id = this.tokens.length
      this.tokens.push(token)
      this.ids.set(token, id)
    }
    return id
  }

  /** `play` + `##ing` -> `playing`; `##play` + `##ing` -> `##playing`. */
  merge(left: number, right: number): number {
    return this.idOf(this.tokens[left]! + this.tokens[right]!.slice(CONTINUING_SUBWORD_PREFIX.length))
  }
}

interface Word { pieces: number[]; count: number }

/** Pair (left, right) as one number; piece ids stay far below 2^26. */
const PAIR_BASE = 2 ** 26
const pairKey = (left: number, right: number) => left * PAIR_BASE + right
const pairOf = (key: number): [number, number] => [Math.floor(key / PAIR_BASE), key % PAIR_BASE]

/**
 * Byte-pair-encoding style merging with incremental pair counts: each merge only
 * revisits the words that contain the merged pair, which keeps training on
 * Banking77 to a fraction of a second.
 */
function mergeFrequentPairs(words: Word[], pieces: PieceTable, { vocabSize, minFrequency }: { vocabSize: number; minFrequency: number }): void {
  const pairCounts = new Map<number, number>()
  const wordsWithPair = new Map<number, Set<number>>()
  const changed = new Set<number>()
  const countPairs = (wordIndex: number, sign: 1 | -1) => {
    const { pieces: wordPieces, count } = words[wordIndex]!
    for (let i = 0; i + 1 < wordPieces.length; i++) {
      const key = pairKey(wordPieces[i]!, wordPieces[i + 1]!)
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * count)
      changed.add(key)
      if (sign > 0) {
        let holders = wordsWithPair.get(key)
        if (!holders) wordsWithPair.set(key, (holders = new Set()))
        holders.add(wordIndex)
      }
    }
  }
  words.forEach((_, wordIndex) => countPairs(wordIndex, 1))

  // Most frequent first; ties go to the alphabetically first pair, so results never depend on Map order.
  const pairText = (key: number) => pairOf(key).map((id) => pieces.tokens[id]!).join(' ')
  const queue = new MaxHeap<{ key: number; count: number }>((a, b) => a.count - b.count || (pairText(a.key) < pairText(b.key) ? 1 : -1))
  const enqueueChanged = () => {
    for (const key of changed) {
      const count = pairCounts.get(key) ?? 0
      if (count >= minFrequency && count > 0) queue.push({ key, count })
    }
    changed.clear()
  }
  enqueueChanged()

  while (pieces.tokens.length < vocabSize) {
    const best = queue.pop()
    if (!best) break
    // Stale entry: the pair's count changed after it was queued (its fresh count is queued too).
    if (pairCounts.get(best.key) !== best.count) continue
    const [left, right] = pairOf(best.key)
    const merged = pieces.merge(left, right)
    for (const wordIndex of wordsWithPair.get(best.key) ?? []) {
      countPairs(wordIndex, -1)
      words[wordIndex]!.pieces = mergePair(words[wordIndex]!.pieces, left, right, merged)
      countPairs(wordIndex, 1)
    }
    wordsWithPair.delete(best.key)
    pairCounts.delete(best.key)
    changed.delete(best.key)
    enqueueChanged()
  }
}

function mergePair(wordPieces: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = []
  for (let i = 0; i < wordPieces.length; i++) {
    if (wordPieces[i] === left && wordPieces[i + 1] === right) {
      out.push(merged)
      i++
    } else {
      out.push(wordPieces[i]!)
    }
  }
  return out
}

/** A binary max-heap ordered by `compare` (positive: a before b). */
class MaxHeap<T> {
  private readonly items: T[] = []
  constructor(private readonly compare: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.items
    items.push(item)
    let child = items.length - 1
    while (child > 0) {
      const parent = (child - 1) >> 1
      if (this.compare(items[child]!, items[parent]!) <= 0) break
      ;[items[child], items[parent]] = [items[parent]!, items[child]!]
      child = parent
    }
  }

  pop(): T | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return top
    items[0] = last
    let parent = 0
    for (;;) {
      const left = 2 * parent + 1
      const right = left + 1
      let largest = parent
      if (left < items.length && this.compare(items[left]!, items[largest]!) > 0) largest = left
      if (right < items.length && this.compare(items[right]!, items[largest]!) > 0) largest = right
      if (largest === parent) return top
      ;[items[parent], items[largest]] = [items[largest]!, items[parent]!]
      parent = largest
    }
  }
}
