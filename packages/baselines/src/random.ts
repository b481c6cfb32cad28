import { seededRandom } from '@bankbench/core'
import { assertKnownLabels, assertSerialized, type Example, type Prediction, type SeedOption, type SerializedBaseline, type TextClassifier } from './types'

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

  private constructor(private readonly seed: number, private readonly labels: string[]) {}

  static train(train: Example[], labels: string[], options: SeedOption): RandomClassifier {
    assertKnownLabels(train, labels)
    return new RandomClassifier(options.seed, labels.slice())
  }

  static load(json: unknown): RandomClassifier {
    assertSerialized<SerializedRandom>(json, 'random', 1)
    return new RandomClassifier(json.seed, json.labels)
  }

  predict(texts: string[]): Prediction[] {
    const confidence = 1 / this.labels.length
    return texts.map((text) => {
      const draw = seededRandom(hashText(text) ^ this.seed)()
      return { label: this.labels[Math.floor(draw * this.labels.length)]!, confidence }
    })
  }

  toJSON(): SerializedRandom {
    return { method: 'random', version: 1, seed: this.seed, labels: this.labels }
  }
}

/** 32-bit FNV-1a over UTF-16 units: a fast, stable hash that spreads similar texts apart. */
function hashText(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  }
  return hash >>> 0
}
