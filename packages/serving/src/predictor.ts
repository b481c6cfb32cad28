/**
 * What the endpoint runs a model with. ONNX Runtime is the default: on the same
 * weights it answers a batch-1 query 2-5x faster than the engine on tfjs wasm with
 * native matmul (bench/serving-latency.ts, figures in bench/README.md). The engine
 * serves what cannot be exported (prefix tuning, bottleneck adapters, Llama) and
 * wherever onnxruntime-node cannot load; the served model says which, and why.
 * A baseline run (TF-IDF + logistic regression, majority, the frozen probe, …) is served
 * by its own code in process, behind the same interface (`baselinePredictor`).
 */
import type { TextPredictor } from '@bankbench/baselines'
import { exportOnnx, type IntentClassifier, type IntentPrediction, type MultiLabelDecision, type PredictOptions } from '@bankbench/engine'
import type { OnnxIntentClassifier } from '@bankbench/engine/onnx-runtime'
import { setting, type SettingName } from '@bankbench/settings'

export type ServingRuntime = 'onnxruntime' | 'engine'

/** `auto` (default): ONNX Runtime where the model exports and the runtime loads, else the engine. */
export const SERVING_RUNTIME_ENV_VARIABLE = 'BANKBENCH_SERVING_RUNTIME' satisfies SettingName

/** What answers a predictor's calls: ONNX Runtime or the engine for engine runs, a baseline's own code for baseline runs. */
export type PredictorRuntime = ServingRuntime | 'baseline'

export interface IntentPredictor {
  readonly runtime: PredictorRuntime
  readonly labels: readonly string[]
  /** Set for a multi-label classifier: each prediction's `labels` is the answer (every label above this threshold). */
  readonly multiLabel?: MultiLabelDecision | null
  predict(texts: readonly string[], options?: PredictOptions): Promise<IntentPrediction[]>
  dispose(): Promise<void>
}

export interface PredictorChoice {
  predictor: IntentPredictor
  /** Why the engine serves although ONNX Runtime was allowed; absent otherwise. */
  engineReason?: string
}

/**
 * The predictor for a built classifier. With ONNX Runtime the classifier is exported
 * (adapters folded into the weights, as merging does), its tfjs tensors are freed, and
 * ORT runs one intra-op thread per query (one Lambda vCPU, one core per request).
 */
export async function choosePredictor(classifier: IntentClassifier, runtime = requestedRuntime()): Promise<PredictorChoice> {
  if (runtime === 'engine') return { predictor: enginePredictor(classifier) }
  if (classifier.multiLabel) {
    // The ONNX predictor turns logits into softmax probabilities; a multi-label classifier reads them with sigmoids.
    const reason = 'ONNX Runtime not used: a multi-label classifier reads a sigmoid per label, the ONNX predictor a softmax'
    if (runtime === 'onnxruntime') throw new Error(`${SERVING_RUNTIME_ENV_VARIABLE}=onnxruntime, but ${reason}`)
    return { predictor: enginePredictor(classifier), engineReason: reason }
  }
  try {
    const onnxModel = exportOnnx(classifier.model)
    // Imported here: a machine where ORT's native library cannot load still serves, on the engine.
    const { OnnxIntentClassifier } = await import('@bankbench/engine/onnx-runtime')
    const onnx = await OnnxIntentClassifier.create(onnxModel, classifier.tokenizer, classifier.labels, classifier.maxLength, { threads: 1 })
    classifier.dispose()
    return { predictor: onnxPredictor(onnx) }
  } catch (error) {
    const reason = `ONNX Runtime not used: ${(error as Error).message.split('\n')[0]}`
    if (runtime === 'onnxruntime') throw new Error(`${SERVING_RUNTIME_ENV_VARIABLE}=onnxruntime, but ${reason}`)
    return { predictor: enginePredictor(classifier), engineReason: reason }
  }
}

export function onnxPredictor(onnx: OnnxIntentClassifier): IntentPredictor {
  return {
    runtime: 'onnxruntime',
    labels: onnx.labels,
    predict: (texts, options) => onnx.predict(texts, options),
    dispose: () => onnx.release(),
  }
}

export function enginePredictor(classifier: IntentClassifier): IntentPredictor {
  return {
    runtime: 'engine',
    labels: classifier.labels,
    multiLabel: classifier.multiLabel,
    predict: (texts, options) => Promise.resolve(classifier.predict(texts, options)),
    dispose: () => Promise.resolve(classifier.dispose()),
  }
}

function requestedRuntime(): ServingRuntime | 'auto' {
  return setting(SERVING_RUNTIME_ENV_VARIABLE)
}

/** A baseline run's classifier (text baselines as they are, frozen-feature ones with their encoder); `dispose` frees what it holds (the encoder's tensors). */
export function baselinePredictor(classifier: TextPredictor, dispose: () => void = () => {}): IntentPredictor {
  return {
    runtime: 'baseline',
    labels: classifier.labels,
    predict: (texts, options) => Promise.resolve(classifier.predict([...texts], { scores: options?.scores ?? false })),
    dispose: () => Promise.resolve(dispose()),
  }
}
