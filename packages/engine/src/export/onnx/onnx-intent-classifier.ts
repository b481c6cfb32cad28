/**
 * An exported classifier served by ONNX Runtime (onnxruntime-node): the same texts-in,
 * intents-out contract as IntentClassifier, the same tokenization and padding, with the
 * forward pass in ORT's native CPU kernels and the softmax in JS. Kept out of the
 * package's main entry (import `@bankbench/engine/onnx-runtime`) so that loading the
 * engine never loads ORT's native library.
 */
import * as ort from 'onnxruntime-node'
import type { IntentPrediction, PredictOptions } from '../../fine-tune'
import type { Tokenizer } from '../../tokenizer'
import { ATTENTION_MASK, INPUT_IDS, LOGITS } from './encoder-graph'

export interface OnnxSessionOptions {
  /** ORT's intra-op threads. Default 1: one core per query, as a Lambda function or a bench's single-core peer gets. */
  threads?: number
}

/** The onnxruntime-node package's version, for benches and logs. */
export function onnxRuntimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common
}

/** An ORT session on an exported model, sequential, with every graph optimisation ORT has. */
export function createOnnxSession(onnxModel: Uint8Array, { threads = 1 }: OnnxSessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnxModel, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  })
}

/** Logits [rows, numLabels] of a right-padded int64 batch. */
export async function runOnnxClassifier(session: ort.InferenceSession, inputIds: BigInt64Array, attentionMask: BigInt64Array, dims: [number, number]): Promise<Float32Array> {
  const outputs = await session.run({
    [INPUT_IDS]: new ort.Tensor('int64', inputIds, dims),
    [ATTENTION_MASK]: new ort.Tensor('int64', attentionMask, dims),
  })
  return outputs[LOGITS]!.data as Float32Array
}

export class OnnxIntentClassifier {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly tokenizer: Tokenizer,
    readonly labels: readonly string[],
    /** Longest input in tokens, special tokens included, as the engine's classifier truncates. */
    readonly maxLength: number,
  ) {}

  static async create(onnxModel: Uint8Array, tokenizer: Tokenizer, labels: readonly string[], maxLength: number, options?: OnnxSessionOptions): Promise<OnnxIntentClassifier> {
    return new OnnxIntentClassifier(await createOnnxSession(onnxModel, options), tokenizer, labels, maxLength)
  }

  async predict(texts: readonly string[], { batchSize = 32, scores = false }: PredictOptions = {}): Promise<IntentPrediction[]> {
    const predictions: IntentPrediction[] = []
    const numLabels = this.labels.length
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = this.tokenizer.encodeBatch(texts.slice(start, start + batchSize), { maxLength: this.maxLength })
      const dims: [number, number] = [batch.batchSize, batch.sequenceLength]
      const logits = await runOnnxClassifier(this.session, BigInt64Array.from(batch.inputIds, BigInt), BigInt64Array.from(batch.attentionMask, BigInt), dims)
      for (let row = 0; row < batch.batchSize; row++) {
        const probabilities = softmax(logits.subarray(row * numLabels, (row + 1) * numLabels))
        let best = 0
        for (let index = 1; index < numLabels; index++) if (probabilities[index]! > probabilities[best]!) best = index
        predictions.push({ label: this.labels[best]!, confidence: probabilities[best]!, ...(scores ? { scores: [...probabilities] } : {}) })
      }
    }
    return predictions
  }

  release(): Promise<void> {
    return this.session.release()
  }
}

/** Numerically stable softmax in float32, as tf.softmax computes it. */
function softmax(logits: Float32Array): Float32Array {
  const max = logits.reduce((largest, value) => Math.max(largest, value), -Infinity)
  const exps = logits.map((value) => Math.exp(value - max))
  const sum = exps.reduce((total, value) => total + value, 0)
  return exps.map((value) => value / sum)
}
