/**
 * The wasm kernels behind the engine's fused ops (backend/ops): linear layers, GELU,
 * layer norm, attention's masked softmax, dropout's multipliers, the AdamW update, the gradients' squared norm and QLoRA's blockwise dequantization, each with its gradient kernel where it has one. tfjs has no
 * such kernels; the ops fall back to composed tfjs ops wherever these are not
 * registered (plain wasm, cpu, tfjs-node-gpu).
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { NativeKernels } from '@bankbench/native-kernels'
import { ADAMW_KERNEL, DEQUANTIZE_BLOCKWISE_KERNEL, DROPOUT_MULTIPLIERS_KERNEL, GELU_GRAD_KERNEL, GELU_KERNEL, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, LINEAR_KERNEL, MASKED_SOFTMAX_GRAD_KERNEL, MASKED_SOFTMAX_KERNEL, SUM_OF_SQUARES_KERNEL, type AdamWScalars, type AleaState } from '../ops'

type Heap = (tensor: tf.TensorInfo) => Float32Array

/** A wasm kernel whose body gets heap views: taken only once every output exists, as allocation may grow (and detach) the heap. */
function wasmKernel(kernelName: string, run: (call: Parameters<tf.KernelFunc>[0], wasm: BackendWasm, heap: Heap) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (call) => {
      const wasm = call.backend as BackendWasm
      return run(call, wasm, (tensor) => wasm.typedArrayFromHeap(tensor) as Float32Array)
    },
  }
}

export function linearKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(LINEAR_KERNEL, ({ inputs }, wasm, heap) => {
    const { x, weight, bias } = inputs as Record<'x' | 'weight' | 'bias', tf.TensorInfo>
    const [rows, inFeatures] = x.shape as [number, number]
    const outFeatures = weight.shape[0]!
    const y = wasm.makeOutput([rows, outFeatures], 'float32')
    native.linearForward(heap(x), heap(weight), heap(bias), rows, inFeatures, outFeatures, heap(y))
    return y
  })
}

export function sumOfSquaresKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(SUM_OF_SQUARES_KERNEL, ({ inputs }, wasm, heap) => {
    const out = wasm.makeOutput([], 'float32')
    heap(out)[0] = native.sumOfSquares(Object.values(inputs).map((tensor) => heap(tensor!)))
    return out
  })
}

export function geluKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(GELU_KERNEL, ({ inputs }, wasm, heap) => {
    const x = inputs.x!
    const out = wasm.makeOutput(x.shape, 'float32')
    native.geluForward(heap(x), heap(out))
    return out
  })
}

export function geluGradKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(GELU_GRAD_KERNEL, ({ inputs }, wasm, heap) => {
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo }
    const dx = wasm.makeOutput(x.shape, 'float32')
    native.geluBackward(heap(x), heap(dy), heap(dx))
    return dx
  })
}

/** x [..., size] as rows of `size`. */
function rowsOf(x: tf.TensorInfo): { rows: number; size: number } {
  const size = x.shape[x.shape.length - 1] ?? 1
  return { rows: size === 0 ? 0 : tf.util.sizeFromShape(x.shape) / size, size }
}

export function layerNormKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(LAYER_NORM_KERNEL, ({ inputs, attrs }, wasm, heap) => {
    const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }
    const { rows, size } = rowsOf(x)
    const y = wasm.makeOutput(x.shape, 'float32')
    native.layerNormForward(heap(x), heap(gamma), heap(beta), rows, size, (attrs as { epsilon: number }).epsilon, heap(y))
    return y
  })
}

export function layerNormGradKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(LAYER_NORM_GRAD_KERNEL, ({ inputs, attrs }, wasm, heap) => {
    const { dy, x, gamma } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; gamma: tf.TensorInfo }
    const { rows, size } = rowsOf(x)
    const dx = wasm.makeOutput(x.shape, 'float32')
    const dgamma = wasm.makeOutput(gamma.shape, 'float32')
    const dbeta = wasm.makeOutput(gamma.shape, 'float32')
    native.layerNormBackward(heap(x), heap(gamma), heap(dy), rows, size, (attrs as { epsilon: number }).epsilon, heap(dx), heap(dgamma), heap(dbeta))
    return [dx, dgamma, dbeta]
  })
}

/** Row-major strides of a bias that broadcasts to [batch, heads, queries, keys] along its size-1 axes (0 there). */
function broadcastStrides(shape: number[]): [number, number, number] {
  const [batch, heads, queries, keys] = shape as [number, number, number, number]
  return [batch === 1 ? 0 : heads * queries * keys, heads === 1 ? 0 : queries * keys, queries === 1 ? 0 : keys]
}

export function maskedSoftmaxKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(MASKED_SOFTMAX_KERNEL, ({ inputs, attrs }, wasm, heap) => {
    const { scores, bias } = inputs as { scores: tf.TensorInfo; bias: tf.TensorInfo }
    const [batch, heads, queries, keys] = scores.shape as [number, number, number, number]
    const out = wasm.makeOutput(scores.shape, 'float32')
    native.maskedSoftmaxForward(heap(scores), heap(bias), batch, heads, queries, keys, ...broadcastStrides(bias.shape), (attrs as { divisor: number }).divisor, heap(out))
    return out
  })
}

export function maskedSoftmaxGradKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(MASKED_SOFTMAX_GRAD_KERNEL, ({ inputs, attrs }, wasm, heap) => {
    const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo }
    const { rows, size } = rowsOf(y)
    const dx = wasm.makeOutput(y.shape, 'float32')
    native.maskedSoftmaxBackward(heap(y), heap(dy), rows, size, (attrs as { divisor: number }).divisor, heap(dx))
    return dx
  })
}

/** Writes new tensors rather than updating in place: wasm shares buffers between tensors (reshapes, saved inputs). */
export function adamwKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(ADAMW_KERNEL, ({ inputs, attrs }, wasm, heap) => {
    const { parameter, gradient, firstMoment, secondMoment } = inputs as Record<'parameter' | 'gradient' | 'firstMoment' | 'secondMoment', tf.TensorInfo>
    const scalars = attrs as unknown as AdamWScalars & { oneMinusBeta1: number; oneMinusBeta2: number }
    const outputs = [0, 1, 2].map(() => wasm.makeOutput(parameter.shape, 'float32'))
    const [newParameter, newFirstMoment, newSecondMoment] = outputs.map(heap) as [Float32Array, Float32Array, Float32Array]
    native.adamwUpdate(
      heap(parameter), heap(gradient), heap(firstMoment), heap(secondMoment), newParameter, newFirstMoment, newSecondMoment,
      scalars.decayFactor, scalars.beta1, scalars.oneMinusBeta1, scalars.beta2, scalars.oneMinusBeta2,
      scalars.secondMomentCorrection, scalars.epsilon, scalars.stepSize,
    )
    return outputs
  })
}

export function dropoutMultipliersKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(DROPOUT_MULTIPLIERS_KERNEL, ({ attrs }, wasm, heap) => {
    const { shape, keepProbability, s0, s1, s2, c } = attrs as unknown as { shape: number[]; keepProbability: number } & AleaState
    const out = wasm.makeOutput(shape, 'float32')
    native.dropoutMultipliers(s0, s1, s2, c, keepProbability, heap(out))
    return out
  })
}

/** QLoRA's weights (and their double-quantized absmax): packed int32 codes to float32 in one pass. */
export function dequantizeBlockwiseKernel(native: NativeKernels): tf.KernelConfig {
  return wasmKernel(DEQUANTIZE_BLOCKWISE_KERNEL, ({ inputs, attrs }, wasm, heap) => {
    const { packedCodes, absmax, codebook } = inputs as Record<'packedCodes' | 'absmax' | 'codebook', tf.TensorInfo>
    const { bits, blockSize, size } = attrs as { bits: number; blockSize: number; size: number }
    const out = wasm.makeOutput([size], 'float32')
    native.dequantizeBlockwise(wasm.typedArrayFromHeap(packedCodes) as Int32Array, heap(absmax), heap(codebook), bits, blockSize, heap(out))
    return out
  })
}
