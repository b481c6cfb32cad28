/**
 * Slots as BIO tags over word pieces, and back. Training labels every piece of a slot
 * (B- on the first, I- on the rest) rather than only each word's first piece, so that
 * a prediction is a tag per piece and turns back into a character span without
 * guessing where a word ends. Pieces that could not be placed in the text, and special
 * tokens, carry no label (ignored by the loss).
 */
import { bioToSpans } from '@bankbench/metrics'
import type { EntitySpan } from '@bankbench/metrics'
import type { PieceOffset } from './piece-offsets'

/** `O` first, then B-/I- for each slot type in the order given (the head's label order). */
export function bioTagSet(slotTypes: readonly string[]): string[] {
  return ['O', ...slotTypes.flatMap((type) => [`B-${type}`, `I-${type}`])]
}

/** The slot types of a tag set made by bioTagSet. */
export function slotTypesOf(tags: readonly string[]): string[] {
  return tags.filter((tag) => tag.startsWith('B-')).map((tag) => tag.slice(2))
}

/** Label -1: no loss on this position. */
export const IGNORED = -1

/**
 * A tag index per piece: a piece is inside a slot when its characters overlap the
 * slot's range (a slot boundary inside a piece cannot be expressed; the piece goes to
 * the slot). Overlapping slots: the first listed wins for a piece already taken.
 */
export function piecesToTagIds(offsets: readonly (PieceOffset | null)[], slots: readonly EntitySpan[], tags: readonly string[]): number[] {
  const indexOf = new Map(tags.map((tag, index) => [tag, index]))
  const labels: number[] = offsets.map((offset) => (offset ? 0 : IGNORED))
  for (const slot of slots) {
    let first = true
    offsets.forEach((offset, piece) => {
      if (!offset || offset.end <= slot.start || offset.start >= slot.end || labels[piece] !== 0) return
      const tag = `${first ? 'B' : 'I'}-${slot.type}`
      const index = indexOf.get(tag)
      if (index === undefined) throw new Error(`slot type ${JSON.stringify(slot.type)} has no tag in the tag set`)
      labels[piece] = index
      first = false
    })
  }
  return labels
}

/**
 * Character spans from one tag per piece, read as seqeval reads BIO (bioToSpans): a
 * span runs from its first piece's start to its last piece's end. Pieces without an
 * offset end any open span.
 */
export function tagIdsToSpans(tagIds: readonly number[], offsets: readonly (PieceOffset | null)[], tags: readonly string[]): EntitySpan[] {
  const tagNames = tagIds.map((id, piece) => (offsets[piece] ? tags[id] ?? 'O' : 'O'))
  return bioToSpans(tagNames).map((span) => ({ type: span.type, start: offsets[span.start]!.start, end: offsets[span.end - 1]!.end }))
}
