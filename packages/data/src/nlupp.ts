import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './banking77'

/** A character span of an utterance that names a slot (amount, date, company …). */
export interface NluppSlot { name: string; text: string; start: number; end: number }

export interface NluppUtterance {
  text: string
  /** Multi-label: NLU++ annotates every intent an utterance carries. */
  intents: string[]
  slots: NluppSlot[]
  /** Which of the 20 folds it belongs to (the dataset's own cross-validation split). */
  fold: number
}

interface RawUtterance {
  text: string
  intents?: string[]
  slots?: Record<string, { text: string; span: [number, number] }>
}

/**
 * The NLU++ banking domain (Casanueva et al. 2022, CC BY 4.0), shipped in data/nlupp-banking:
 * 2,071 utterances in 20 folds, with multi-label intents and character-span slots. Its
 * label set differs from Banking77's, so its text can pretrain a backbone (labels unused,
 * or as a different intent task) without touching Banking77's test set; its slots are the
 * study's entity-extraction data.
 */
/**
 * NLU++ folds no pretraining ever sees: the study's NLU++ evaluations (entity F1, intent
 * transfer) score on them, so a backbone pretrained on the other folds stays clean.
 */
export const NLUPP_HELD_OUT_FOLDS: ReadonlySet<number> = new Set([15, 16, 17, 18, 19])

export function loadNluppBanking(dataDir = DATA_DIR): NluppUtterance[] {
  const directory = join(dataDir, 'nlupp-banking')
  const folds = readdirSync(directory).map((name) => /^fold(\d+)\.json$/.exec(name)).filter((match) => match !== null)
  if (folds.length === 0) throw new Error(`${directory}: no fold<N>.json files`)
  return folds.sort((a, b) => Number(a[1]) - Number(b[1])).flatMap(([name, fold]) => {
    const raw = JSON.parse(readFileSync(join(directory, name), 'utf8')) as RawUtterance[]
    return raw.map((utterance) => ({
      text: utterance.text,
      intents: utterance.intents ?? [],
      slots: Object.entries(utterance.slots ?? {}).map(([slotName, slot]) => ({ name: slotName, text: slot.text, start: slot.span[0], end: slot.span[1] })),
      fold: Number(fold),
    }))
  })
}
