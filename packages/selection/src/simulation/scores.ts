/** Accuracy and macro-averaged F1 over class indices (every class in 0..classCount-1 with support counts toward the macro mean). */
export function accuracyAndMacroF1(actual: Int32Array, predicted: Int32Array, classCount: number): { accuracy: number; macroF1: number } {
  const truePositives = new Float64Array(classCount)
  const predictedCount = new Float64Array(classCount)
  const support = new Float64Array(classCount)
  let correct = 0
  for (let row = 0; row < actual.length; row++) {
    support[actual[row]!]!++
    predictedCount[predicted[row]!]!++
    if (actual[row] === predicted[row]) {
      correct++
      truePositives[actual[row]!]!++
    }
  }
  let f1Sum = 0
  let classes = 0
  for (let k = 0; k < classCount; k++) {
    // scikit-learn's macro average over the labels present in either actual or predicted.
    if (support[k] === 0 && predictedCount[k] === 0) continue
    classes++
    const precision = predictedCount[k]! > 0 ? truePositives[k]! / predictedCount[k]! : 0
    const recall = support[k]! > 0 ? truePositives[k]! / support[k]! : 0
    f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  }
  return { accuracy: actual.length ? correct / actual.length : 0, macroF1: classes ? f1Sum / classes : 0 }
}
