import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setting } from '@bankbench/settings'
import { parseCsv } from './csv'
import { seededShuffle } from './random'

export interface Example {
  text: string
  label: string
  /** The bank's reply to the message, where an uploaded dataset provides one (every in-scope row then has one). */
  reply?: string
}

/**
 * The label that marks a message as out of scope (as CLINC150 marks them): not a class. Such
 * messages are kept apart from the splits (`DatasetSplits.outOfScope`): the validation ones
 * calibrate a deployment's out-of-scope threshold, the test ones measure its out-of-scope recall.
 */
export const OUT_OF_SCOPE_LABEL = 'out_of_scope'

export interface DatasetSplits {
  /** The intent classes (never `out_of_scope`). */
  labels: string[]
  train: Example[]
  validation: Example[]
  test: Example[]
  /** Out-of-scope messages (texts only), when the dataset marks some; training uses none. */
  outOfScope?: { validation: string[]; test: string[] }
}

/** Banking77 ships in the repository (CC BY 4.0, PolyAI): data/banking77; BANKBENCH_DATA_DIR names another folder. */
export const DATA_DIR = setting('BANKBENCH_DATA_DIR')
  ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../data')

/** The validation carve-out: 500 rows of the official train split, chosen by this fixed seed. */
export const VALIDATION_SIZE = 500
export const VALIDATION_SEED = 77

/**
 * The official split of Casanueva et al. 2020 (10,003 train / 3,080 test), with
 * 500 training rows moved to validation so that model selection never sees test.
 */
export function loadBanking77(dataDir = DATA_DIR): DatasetSplits {
  const directory = join(dataDir, 'banking77')
  const labels = JSON.parse(readFileSync(join(directory, 'categories.json'), 'utf8')) as string[]
  const officialTrain = readExamples(join(directory, 'train.csv'))
  const test = readExamples(join(directory, 'test.csv'))
  const shuffled = seededShuffle(officialTrain, VALIDATION_SEED)
  return {
    labels,
    validation: shuffled.slice(0, VALIDATION_SIZE),
    train: shuffled.slice(VALIDATION_SIZE),
    test,
  }
}

function readExamples(path: string): Example[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'))
  if (header?.[0] !== 'text' || header[1] !== 'category') throw new Error(`${path}: expected the header text,category`)
  return rows.filter((row) => row.length >= 2).map(([text, label]) => ({ text: text!, label: label! }))
}
