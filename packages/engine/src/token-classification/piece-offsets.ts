/**
 * Character offsets of a text's word pieces. @huggingface/tokenizers 0.2.0 (the pure-JS
 * tokenizer the engine uses) returns ids and token strings but no offsets, so each piece
 * is found in the text in order: a piece's characters (WordPiece's `##` stripped) are
 * matched against the text's characters after the same folding BERT's normalizer does
 * (lowercase, accents stripped), skipping whitespace and characters the normalizer
 * drops. An unknown-word piece ([UNK]) stands for one pre-tokenized word: a lone
 * punctuation character or a run of characters up to the next space or punctuation.
 */
import type { Tokenizer } from '../tokenizer'

export interface PieceOffset {
  /** Half-open character range of the original text; null where the piece could not be placed. */
  start: number
  end: number
}

export interface TextPieces {
  /** Token ids without special tokens. */
  ids: number[]
  /** One per id; null when the piece's characters were not found where expected. */
  offsets: (PieceOffset | null)[]
}

/** How BERT's normalizer folds one character: NFD, combining marks dropped, lowercase. */
function fold(character: string): string {
  return character.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

const PUNCTUATION = /[\p{P}\p{S}]/u

export function pieceOffsets(tokenizer: Tokenizer, text: string): TextPieces {
  const ids = tokenizer.encode(text, { addSpecialTokens: false })
  const unknownId = tokenizer.unkTokenId
  const offsets: (PieceOffset | null)[] = []
  let cursor = 0
  for (const id of ids) {
    const token = tokenizer.idToToken(id) ?? ''
    // Whitespace and characters the normalizer removes (controls, bare combining marks) belong to no piece.
    while (cursor < text.length && (/\s/u.test(text[cursor]!) || fold(text[cursor]!) === '')) cursor++
    if (id === unknownId) {
      const start = cursor
      if (cursor < text.length && PUNCTUATION.test(text[cursor]!)) cursor++
      else while (cursor < text.length && !/\s/u.test(text[cursor]!) && !PUNCTUATION.test(text[cursor]!)) cursor++
      offsets.push(cursor > start ? { start, end: cursor } : null)
      continue
    }
    const wanted = token.startsWith('##') ? token.slice(2) : token
    const start = cursor
    let matched = 0
    let position = cursor
    // Match folded characters until the piece is spelled out; one text character may fold to several.
    while (matched < wanted.length && position < text.length) {
      const folded = fold(text[position]!)
      if (folded === '') { position++; continue }
      if (wanted.startsWith(folded, matched)) {
        matched += folded.length
        position++
      } else {
        break
      }
    }
    if (matched === wanted.length && wanted.length > 0) {
      offsets.push({ start, end: position })
      cursor = position
    } else {
      offsets.push(null)
    }
  }
  return { ids, offsets }
}
