/**
 * The out-of-scope threshold, calibrated on the run's validation split, and measured on
 * its test split. Rejecting below a max-softmax threshold t, the threshold chosen is the
 * highest one whose false-reject rate on validation stays within the target. What counts
 * as a message to accept or to reject depends on the data:
 *
 * - The dataset marks out-of-scope messages (label `out_of_scope`, as CLINC150 does;
 *   basis `out-of-scope-examples`): every in-scope message is one to accept, every
 *   out-of-scope one a message to reject.
 *     false-reject rate = in-scope messages with confidence < t / in-scope messages
 *     out-of-scope recall = out-of-scope messages with confidence < t / out-of-scope messages
 *     false-accept rate = 1 - out-of-scope recall
 * - It marks none (Banking77; basis `misclassified-examples`): the validation examples the
 *   model gets WRONG stand in for the messages it should reject, and the ones it gets
 *   right for those it should accept.
 *     false-reject rate = correct examples with confidence < t / correct examples
 *     false-accept rate = wrong examples with confidence >= t / wrong examples
 */

export const CALIBRATION_ASSUMPTION = 'Banking77 has no out-of-scope examples: misclassified validation examples are taken as the ones to reject, '
  + 'correctly classified ones as the ones to accept. Recalibrate on real out-of-scope traffic when there is some '
  + '(rows labelled out_of_scope in an uploaded dataset).'

export const OUT_OF_SCOPE_EXAMPLES_ASSUMPTION = 'The dataset marks out-of-scope messages (label out_of_scope): on validation they are the ones to reject '
  + 'and every in-scope message one to accept; a false reject is an in-scope message flagged out of scope. The test split measures the chosen threshold.'

/** What the threshold separates: real out-of-scope messages from in-scope ones, or (without any) wrong predictions from right ones. */
export type CalibrationBasis = 'out-of-scope-examples' | 'misclassified-examples'

/** A prediction on an in-scope message: its confidence, and whether its intent was the message's label. */
export interface ScoredPrediction { confidence: number; correct: boolean }

export interface TradeOffPoint { threshold: number; falseRejectRate: number; falseAcceptRate: number | null }

export interface Calibration {
  threshold: number
  targetFalseRejectRate: number
  basis: CalibrationBasis
  falseRejectRate: number
  /** Null when there is nothing to accept falsely (no out-of-scope message, or every validation example right). */
  falseAcceptRate: number | null
  /** In-scope validation messages. */
  validationExamples: number
  validationAccuracy: number
  /** Out-of-scope validation messages (0 without any). */
  outOfScopeExamples: number
  /** Share of the out-of-scope validation messages rejected; null without any. */
  outOfScopeRecall: number | null
  /** The trade-off at thresholds 0, 0.05, …, 1. */
  curve: TradeOffPoint[]
  assumption: string
}

/** A deployed threshold measured on messages the calibration never saw (the test split). */
export interface ThresholdEvaluation {
  split: 'test'
  threshold: number
  basis: CalibrationBasis
  /** In-scope messages measured (a seeded sample when the split has more than the deployment measures). */
  inScopeExamples: number
  /** Share of the accepted kind (in-scope messages, or correctly classified ones on the misclassified basis) flagged out of scope. */
  falseRejectRate: number
  outOfScopeExamples: number
  /** Share of the out-of-scope messages flagged out of scope; null when the split has none. */
  outOfScopeRecall: number | null
  /** Share of the messages to reject that were accepted (out-of-scope ones, or misclassified ones on that basis); null when there are none. */
  falseAcceptRate: number | null
}

/** The confidences to accept and to reject on a basis. */
function sides(inScope: readonly ScoredPrediction[], outOfScope: readonly number[], basis: CalibrationBasis) {
  return basis === 'out-of-scope-examples'
    ? { accepted: inScope.map((p) => p.confidence), rejected: [...outOfScope] }
    : { accepted: inScope.filter((p) => p.correct).map((p) => p.confidence), rejected: inScope.filter((p) => !p.correct).map((p) => p.confidence) }
}

function tradeOff(accepted: readonly number[], rejected: readonly number[], t: number): TradeOffPoint {
  return {
    threshold: t,
    falseRejectRate: accepted.length === 0 ? 0 : accepted.filter((c) => c < t).length / accepted.length,
    falseAcceptRate: rejected.length === 0 ? null : rejected.filter((c) => c >= t).length / rejected.length,
  }
}

const recall = (outOfScope: readonly number[], t: number) => outOfScope.length === 0 ? null : outOfScope.filter((c) => c < t).length / outOfScope.length

/**
 * Calibrates on the validation split's in-scope predictions and the confidences of its
 * out-of-scope messages (none: the misclassified basis).
 */
export function calibrateThreshold(predictions: readonly ScoredPrediction[], targetFalseRejectRate: number, outOfScope: readonly number[] = []): Calibration {
  const basis: CalibrationBasis = outOfScope.length > 0 ? 'out-of-scope-examples' : 'misclassified-examples'
  const { accepted, rejected } = sides(predictions, outOfScope, basis)
  const sorted = [...accepted].sort((a, b) => a - b)
  // Rejecting the `allowed` least confident messages to accept keeps the false-reject rate within the target.
  const allowed = Math.floor(targetFalseRejectRate * sorted.length + 1e-9)
  const threshold = sorted[allowed] ?? 0
  return {
    ...tradeOff(accepted, rejected, threshold),
    targetFalseRejectRate,
    basis,
    validationExamples: predictions.length,
    validationAccuracy: predictions.length === 0 ? 0 : predictions.filter((p) => p.correct).length / predictions.length,
    outOfScopeExamples: outOfScope.length,
    outOfScopeRecall: recall(outOfScope, threshold),
    curve: Array.from({ length: 21 }, (_, step) => tradeOff(accepted, rejected, step / 20)),
    assumption: basis === 'out-of-scope-examples' ? OUT_OF_SCOPE_EXAMPLES_ASSUMPTION : CALIBRATION_ASSUMPTION,
  }
}

/** Measures a threshold on the test split, counting false rejects as the calibration's basis does. */
export function measureThreshold(predictions: readonly ScoredPrediction[], outOfScope: readonly number[], threshold: number, basis: CalibrationBasis): ThresholdEvaluation {
  const { accepted, rejected } = sides(predictions, outOfScope, basis)
  const { falseRejectRate, falseAcceptRate } = tradeOff(accepted, rejected, threshold)
  return {
    split: 'test',
    threshold,
    basis,
    inScopeExamples: predictions.length,
    falseRejectRate,
    outOfScopeExamples: outOfScope.length,
    outOfScopeRecall: recall(outOfScope, threshold),
    falseAcceptRate,
  }
}
