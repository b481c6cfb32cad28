import { assertKnownLabels, assertSerialized, type Example, type Prediction, type PredictOptions, type SeedOption, type SerializedBaseline, type TextClassifier } from './types'

interface SerializedRandom extends SerializedBaseline {
  method: 'random'
  seed: number
  labels: string[]
}

/**
 * Chance level: each text gets a label drawn uniformly from `labels`. The draw is
 * seeded by the seed and the text itself, so a text keeps its label whatever batch it
 * comes in and after a save and load.
 */
export class RandomClassifier implements TextClassifier {
  readonly method = 'random'

  private constructor(private readonly seed: number, readonly labels: string[]) {}

  static train(train: Example[], labels: string[], options: SeedOption): RandomClassifier {
    assertKnownLabels(train, labels)
    return new RandomClassifier(options.seed, labels.slice())
  }

  static load(json: unknown): RandomClassifier {
    assertSerialized<SerializedRandom>(json, 'random', 1)
    return new RandomClassifier(json.seed, json.labels)
  }

  predict(texts: string[], options: PredictOptions = {}): Prediction[] {
    const confidence = 1 / this.labels.length
    return texts.map((text) => ({
      label: this.labels[Math.floor(uniformHash(this.seed, text) * this.labels.length)]!,
      confidence,
      ...(options.scores && { scores: this.labels.map(() => confidence) }),
    }))
  }

  toJSON(): SerializedRandom {
    return { method: 'random', version: 1, seed: this.seed, labels: this.labels }
  }
}

/**
 * A number in [0, 1) fixed by (seed, text): 32-bit FNV-1a over the UTF-16 units, started
 * from the seed, then MurmurHash3's finaliser so that texts differing in one character
 * land far apart.
 */
function uniformHash(seed: number, text: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return (hash >>> 0) / 2 ** 32
}
