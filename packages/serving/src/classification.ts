import type { IntentPredictor } from './predictor'

/** The intent a model answers when it recognises none (a served generator writing no label's name): never a class, always out of scope. */
export const OUT_OF_SCOPE_INTENT = 'out_of_scope'

export interface IntentScore { intent: string; score: number }

export interface Classification {
  intent: string
  confidence: number
  /** The `topK` most probable intents, most probable first. */
  topIntents: IntentScore[]
  /** The top probability is below the deployment's threshold, or the model answered OUT_OF_SCOPE_INTENT: hand the message to a person or a fallback. */
  outOfScope: boolean
}

/** Classifies texts in batches; the intent is the model's prediction, unchanged. */
export async function classifyTexts(predictor: IntentPredictor, texts: readonly string[], settings: { topK: number; outOfScopeThreshold: number }): Promise<Classification[]> {
  const labels = predictor.labels
  return (await predictor.predict(texts, { scores: true })).map((prediction) => ({
    intent: prediction.label,
    confidence: prediction.confidence,
    topIntents: prediction.scores!.map((score, index) => ({ intent: labels[index]!, score }))
      .sort((a, b) => b.score - a.score).slice(0, settings.topK),
    outOfScope: prediction.confidence < settings.outOfScopeThreshold || prediction.label === OUT_OF_SCOPE_INTENT,
  }))
}
