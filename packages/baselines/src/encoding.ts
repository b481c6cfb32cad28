/**
 * Typed arrays as base64 of their little-endian bytes: a model's parameters stay
 * bit-exact through JSON (decimal text would round them) at a third of the size.
 * Every platform Node supports here is little-endian.
 */
export function encodeFloats(array: Float32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64')
}

export function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64')
  // Copy into a fresh buffer: Buffer's pool offset may not be 4-byte aligned.
  return new Float32Array(new Uint8Array(bytes).buffer)
}

export function decodeFloat64(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64')
  return new Float64Array(new Uint8Array(bytes).buffer)
}
