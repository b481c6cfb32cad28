/**
 * The out-of-scope threshold, calibrated on the run's validation split. Banking77
 * has no out-of-scope messages, so the validation examples the model gets WRONG
 * stand in for the messages it should reject, and the ones it gets right for those it
 * should accept. Rejecting below a max-softmax threshold t then has
 *   false-reject rate = correct examples with confidence < t / correct examples
 *   false-accept rate = wrong examples with confidence >= t / wrong examples
 * and the chosen threshold is the highest one whose false-reject rate stays within
 * the target. A bank with real out-of-scope traffic should recalibrate on it.
 */

export const CALIBRATION_ASSUMPTION = 'Banking77 has no out-of-scope examples: misclassified validation examples are taken as the ones to reject, '
  + 'correctly classified ones as the ones to accept. Recalibrate on real out-of-scope traffic when there is some.'

export interface TradeOffPoint { threshold: number; falseRejectRate: number; falseAcceptRate: number | null }

export interface Calibration {
  threshold: number
  targetFalseRejectRate: number
  falseRejectRate: number
  /** Null when the model got every validation example right (nothing to accept falsely). */
  falseAcceptRate: number | null
  validationExamples: number
  validationAccuracy: number
  /** The trade-off at thresholds 0, 0.05, …, 1. */
  curve: TradeOffPoint[]
  assumption: string
}

export function calibrateThreshold(predictions: readonly { confidence: number; correct: boolean }[], targetFalseRejectRate: number): Calibration {
  const accepted = predictions.filter((p) => p.correct).map((p) => p.confidence).sort((a, b) => a - b)
  const rejected = predictions.filter((p) => !p.correct).map((p) => p.confidence)
  // Rejecting the `allowed` least confident correct examples keeps the false-reject rate within the target.
  const allowed = Math.floor(targetFalseRejectRate * accepted.length + 1e-9)
  const threshold = accepted[allowed] ?? 0
  const rates = (t: number): TradeOffPoint => ({
    threshold: t,
    falseRejectRate: accepted.length === 0 ? 0 : accepted.filter((c) => c < t).length / accepted.length,
    falseAcceptRate: rejected.length === 0 ? null : rejected.filter((c) => c >= t).length / rejected.length,
  })
  return {
    ...rates(threshold),
    targetFalseRejectRate,
    validationExamples: predictions.length,
    validationAccuracy: predictions.length === 0 ? 0 : accepted.length / predictions.length,
    curve: Array.from({ length: 21 }, (_, step) => rates(step / 20)),
    assumption: CALIBRATION_ASSUMPTION,
  }
}
