/**
 * `Identity` for the wasm backend without a copy: the output shares the input's
 * buffer, as the cpu backend's does and as wasm's own Reshape already does.
 *
 * tfjs clones (Identity) every tensor it saves for the backward pass; wasm's kernel
 * copies each one, about 300 copies and 10 ms of a full fine-tuning step of the
 * reference encoder. Sharing is safe because no kernel writes into an input: tensors
 * are immutable, and a Variable's `assign` swaps buffers rather than writing into one.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

export const sharedIdentityKernel: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as tf.IdentityInputs
    if (!x) throw new Error('Identity: needs input x')
    ;(backend as BackendWasm).incRef(x.dataId)
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
  },
}
