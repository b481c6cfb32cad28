import type { IntentPredictor } from './predictor'

/** The intent a model answers when it recognises none (a served generator writing no label's name): never a class, always out of scope. */
export const OUT_OF_SCOPE_INTENT = 'out_of_scope'

export interface IntentScore { intent: string; score: number }

export interface Classification {
  intent: string
  confidence: number
  /** The `topK` most probable intents, most probable first. */
  topIntents: IntentScore[]
  /**
   * The top probability is below the deployment's threshold, or the model answered OUT_OF_SCOPE_INTENT (a multi-label
   * model: no intent above its threshold): hand the message to a person or a fallback.
   */
  outOfScope: boolean
  /** A multi-label model's answer: every intent whose sigmoid exceeds its threshold, in label order, zero or more; `intent` is the most probable. */
  intents?: string[]
}

/** Classifies texts in batches; the intent is the model's prediction, unchanged (a multi-label model's: its label set too). */
export async function classifyTexts(predictor: IntentPredictor, texts: readonly string[], settings: { topK: number; outOfScopeThreshold: number }): Promise<Classification[]> {
  const labels = predictor.labels
  return (await predictor.predict(texts, { scores: true })).map((prediction) => ({
    intent: prediction.label,
    confidence: prediction.confidence,
    topIntents: prediction.scores!.map((score, index) => ({ intent: labels[index]!, score }))
      .sort((a, b) => b.score - a.score).slice(0, settings.topK),
    // A multi-label model's threshold is its own, tuned on validation with its sigmoids: the deployment's is a softmax confidence.
    ...(prediction.labels
      ? { outOfScope: prediction.labels.length === 0, intents: prediction.labels }
      : { outOfScope: prediction.confidence < settings.outOfScopeThreshold || prediction.label === OUT_OF_SCOPE_INTENT }),
  }))
}
