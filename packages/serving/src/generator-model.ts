/**
 * A generate run served as an intent classifier: its decoder writes an intent name for
 * each message (greedy, or beam search with the run's num_beams). A name equal to a
 * label's text (normalised as the run's exact match is: lower case, single spaces) is
 * that label, its confidence the probability that the decoder writes that name (EOS
 * included) given the message. Any other text is a rejection: OUT_OF_SCOPE_INTENT
 * (`out_of_scope`, the dataset convention for messages no intent covers) with
 * confidence 0, which the classify endpoint marks out of scope whatever the threshold.
 */
import type { IntentPrediction, PredictOptions } from '@bankbench/engine'
import { normalizeGenerated } from '@bankbench/engine'
import type { GeneratorManifest, RunGenerator } from '@bankbench/model-store'
import { OUT_OF_SCOPE_INTENT } from './classification'
import type { IntentPredictor } from './predictor'

/** Messages per generate call when the caller names no batch size. */
const DEFAULT_BATCH_SIZE = 32

/** What serves a generate run: its generator and its labels with their texts (the generate job scores its banking rubric through this too, before saving). */
export function generatorPredictor({ generator, manifest }: Pick<RunGenerator, 'generator'> & { manifest: Pick<GeneratorManifest, 'labels' | 'labelTexts'> }): IntentPredictor {
  const labelOfText = new Map(manifest.labelTexts.map((text, index) => [normalizeGenerated(text), index]))
  const predict = (texts: readonly string[], options: PredictOptions = {}): IntentPrediction[] => {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    const matched = generator.generate(texts, { batchSize }).texts.map((text) => labelOfText.get(normalizeGenerated(text)))
    const hits = texts.flatMap((prompt, index) => {
      const label = matched[index]
      return label === undefined ? [] : [{ index, prompt, target: manifest.labelTexts[label]! }]
    })
    const likelihoods = generator.targetLogLikelihoods(hits, { batchSize })
    const confidence = new Map(hits.map((hit, i) => [hit.index, Math.exp(likelihoods[i]!.reduce((sum, value) => sum + value, 0))]))
    return texts.map((_, index) => {
      const label = matched[index]
      if (label === undefined) return { label: OUT_OF_SCOPE_INTENT, confidence: 0, ...(options.scores && { scores: manifest.labels.map(() => 0) }) }
      const probability = confidence.get(index)!
      return { label: manifest.labels[label]!, confidence: probability, ...(options.scores && { scores: manifest.labels.map((_, other) => (other === label ? probability : 0)) }) }
    })
  }
  return {
    runtime: 'engine',
    labels: manifest.labels,
    predict: (texts, options) => Promise.resolve(predict(texts, options)),
    dispose: () => Promise.resolve(generator.dispose()),
  }
}
