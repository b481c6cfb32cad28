import * as tf from '@tensorflow/tfjs'
import { sumOfSquares } from '../backend/ops'

/**
 * Global-norm gradient clipping with `torch.nn.utils.clip_grad_norm_` semantics:
 * the L2 norm over all gradients together is measured; when it exceeds `maxNorm`
 * every gradient is scaled by `maxNorm / (norm + 1e-6)`. Returns the norm measured
 * BEFORE clipping (what torch returns and what training logs report) and the
 * gradients to use, disposing any input gradient it replaced.
 */
export function clipGradientsByGlobalNorm(
  gradients: Map<string, tf.Tensor>,
  maxNorm: number,
): { gradients: Map<string, tf.Tensor>; norm: number } {
  const norm = globalNorm(gradients)
  const scale = maxNorm / (norm + 1e-6)
  // torch multiplies by min(scale, 1) unconditionally; multiplying by 1 changes nothing, so skip it.
  if (!(scale < 1)) return { gradients, norm }
  const clipped = new Map<string, tf.Tensor>()
  for (const [name, gradient] of gradients) {
    clipped.set(name, gradient.mul(scale))
    gradient.dispose()
  }
  return { gradients: clipped, norm }
}

/** The L2 norm of all gradients taken as one vector. */
export function globalNorm(gradients: Map<string, tf.Tensor>): number {
  // One kernel over every gradient where the backend has it, else Square + Sum per gradient.
  const normTensor = tf.tidy(() => sumOfSquares([...gradients.values()]).sqrt())
  const norm = normTensor.dataSync()[0]!
  normTensor.dispose()
  return norm
}
