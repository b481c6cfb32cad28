import type { EncodedBatch } from '../tokenizer'

/** Label of a position the loss ignores (torch CrossEntropyLoss's ignore_index). */
export const IGNORED_LABEL = -100

export interface MaskingOptions {
  maskTokenId: number
  /** Random replacements are drawn from ids [0, vocabSize), as HF draws from len(tokenizer). */
  vocabSize: number
  /** Tokens never chosen for prediction: [CLS], [SEP], [PAD]. */
  specialTokenIds: readonly number[]
  /** Share of tokens to predict; BERT's 15%. */
  probability?: number
}

export interface MaskedBatch {
  /** The batch's ids with the chosen positions corrupted. */
  inputIds: Int32Array
  /** The original id at every chosen position, IGNORED_LABEL elsewhere. */
  labels: Int32Array
}

/**
 * BERT's masking (HF DataCollatorForLanguageModeling): each real, non-special token
 * is chosen with `probability`; a chosen token becomes [MASK] 80% of the time, a
 * random token 10%, and stays itself 10%, and is predicted in every case.
 * When a (short) batch draws no position at all, one is chosen anyway, so that every
 * batch has a loss; HF would produce NaN there.
 */
export function maskTokens(batch: EncodedBatch, options: MaskingOptions, random: () => number): MaskedBatch {
  const probability = options.probability ?? 0.15
  const special = new Set(options.specialTokenIds)
  const inputIds = batch.inputIds.slice()
  const labels = new Int32Array(inputIds.length).fill(IGNORED_LABEL)
  const candidates: number[] = []
  for (let position = 0; position < inputIds.length; position++) {
    if (batch.attentionMask[position] === 1 && !special.has(inputIds[position]!)) candidates.push(position)
  }
  const corrupt = (position: number): void => {
    labels[position] = inputIds[position]!
    const kind = random()
    if (kind < 0.8) inputIds[position] = options.maskTokenId
    else if (kind < 0.9) inputIds[position] = Math.floor(random() * options.vocabSize)
  }
  let chosen = 0
  for (const position of candidates) {
    if (random() < probability) {
      corrupt(position)
      chosen++
    }
  }
  if (chosen === 0 && candidates.length > 0) corrupt(candidates[Math.floor(random() * candidates.length)]!)
  return { inputIds, labels }
}
