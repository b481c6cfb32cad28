import { assertKnownLabels, assertSerialized, type Example, type Prediction, type PredictOptions, type SeedOption, type SerializedBaseline, type TextClassifier } from './types'

interface SerializedMajority extends SerializedBaseline {
  method: 'majority'
  label: string
  confidence: number
}

/**
 * Predicts the most frequent training label for every text, with its training share
 * as confidence: the floor any real classifier must clear on an imbalanced set. Ties
 * go to the label listed first in `labels`.
 */
export class MajorityClassifier implements TextClassifier {
  readonly method = 'majority'

  private constructor(private readonly label: string, private readonly confidence: number) {}

  /** The one label it predicts: it keeps no other (its score is the label's training share). */
  get labels(): readonly string[] {
    return [this.label]
  }

  static train(train: Example[], labels: string[], _options: SeedOption): MajorityClassifier {
    assertKnownLabels(train, labels)
    if (train.length === 0) throw new Error('The majority baseline needs at least one training example')
    const counts = new Map(labels.map((label) => [label, 0]))
    for (const example of train) counts.set(example.label, counts.get(example.label)! + 1)
    let best = labels[0]!
    for (const label of labels) if (counts.get(label)! > counts.get(best)!) best = label
    return new MajorityClassifier(best, counts.get(best)! / train.length)
  }

  static load(json: unknown): MajorityClassifier {
    assertSerialized<SerializedMajority>(json, 'majority', 1)
    return new MajorityClassifier(json.label, json.confidence)
  }

  predict(texts: string[], options: PredictOptions = {}): Prediction[] {
    return texts.map(() => ({ label: this.label, confidence: this.confidence, ...(options.scores && { scores: [this.confidence] }) }))
  }

  toJSON(): SerializedMajority {
    return { method: 'majority', version: 1, label: this.label, confidence: this.confidence }
  }
}
