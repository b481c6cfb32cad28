import type * as tf from '@tensorflow/tfjs'

export interface ParameterCount {
  total: number
  trainable: number
  /** 100 · trainable / total, as PEFT's `print_trainable_parameters` reports it. */
  trainablePercent: number
}

/**
 * Counts parameters the way PEFT does: `total` covers the model and any adapter
 * tensors (the union of both maps, a tensor listed twice, e.g. tied embeddings,
 * counted once), `trainable` only what the optimizer updates.
 */
export function countParameters(
  all: Map<string, tf.Tensor>,
  trainable: Map<string, tf.Tensor> = all,
): ParameterCount {
  const sizeOf = (tensors: Iterable<tf.Tensor>): number => {
    const unique = new Map<number, number>()
    for (const tensor of tensors) unique.set(tensor.id, tensor.size)
    return [...unique.values()].reduce((sum, size) => sum + size, 0)
  }
  const total = sizeOf([...all.values(), ...trainable.values()])
  const trainableCount = sizeOf(trainable.values())
  return { total, trainable: trainableCount, trainablePercent: total === 0 ? 0 : (100 * trainableCount) / total }
}
