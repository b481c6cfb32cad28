/**
 * NLU++ banking as a slot-filling (and multi-label intent) task for this study.
 *
 * NLU++'s published protocol cross-validates over its 20 folds (train on one fold and
 * test on the rest in the low-data setting, or the reverse). This study cannot: the
 * shipped base model was pretrained (masked language modelling, no labels) on the text
 * of folds 0-14, so only folds 15-19 (NLUPP_HELD_OUT_FOLDS) are text it never saw. The
 * split is therefore fixed: train on folds 0-13, pick the best epoch on fold 14, test
 * on folds 15-19 (520 utterances, 226 slot values). A model pretrained on folds 0-14 has seen the
 * training text, but not its labels, and never the test text.
 */
import { loadNluppBanking, NLUPP_HELD_OUT_FOLDS } from './nlupp'
import type { NluppUtterance } from './nlupp'

export interface SlotUtterance {
  text: string
  /** Character spans, half-open, typed by NLU++'s slot names. */
  spans: { type: string; start: number; end: number }[]
  intents: string[]
}

export interface NluppSlotSplit {
  train: SlotUtterance[]
  validation: SlotUtterance[]
  test: SlotUtterance[]
  /** Every slot type in the dataset, sorted: the tag set's order. */
  slotTypes: string[]
  /** Every intent in the dataset, sorted. */
  intents: string[]
  /** Which folds each part holds, for the run's record. */
  folds: { train: number[]; validation: number[]; test: number[] }
}

/** The fold of the pretrained side that picks the best epoch. */
export const NLUPP_VALIDATION_FOLD = 14

export function nluppSlotSplit(dataDir?: string): NluppSlotSplit {
  const utterances = loadNluppBanking(dataDir)
  const toSlots = (utterance: NluppUtterance): SlotUtterance => ({
    text: utterance.text,
    spans: utterance.slots.map((slot) => ({ type: slot.name, start: slot.start, end: slot.end })),
    intents: utterance.intents,
  })
  const folds = [...new Set(utterances.map((utterance) => utterance.fold))].sort((a, b) => a - b)
  const testFolds = folds.filter((fold) => NLUPP_HELD_OUT_FOLDS.has(fold))
  const trainFolds = folds.filter((fold) => !NLUPP_HELD_OUT_FOLDS.has(fold) && fold !== NLUPP_VALIDATION_FOLD)
  const inFolds = (wanted: readonly number[]) => utterances.filter((utterance) => wanted.includes(utterance.fold)).map(toSlots)
  return {
    train: inFolds(trainFolds),
    validation: inFolds([NLUPP_VALIDATION_FOLD]),
    test: inFolds(testFolds),
    slotTypes: [...new Set(utterances.flatMap((utterance) => utterance.slots.map((slot) => slot.name)))].sort(),
    intents: [...new Set(utterances.flatMap((utterance) => utterance.intents))].sort(),
    folds: { train: trainFolds, validation: [NLUPP_VALIDATION_FOLD], test: testFolds },
  }
}
