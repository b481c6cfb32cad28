/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors).
 *
 * Layout: 8-byte little-endian header length N, N bytes of JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }`,
 * then the raw little-endian tensor bytes. No npm reader is maintained, and the
 * format is small enough to own.
 */

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8' | 'I8' | 'BOOL' | 'F64'

export interface NamedTensor {
  dtype: SafetensorsDtype
  shape: number[]
  /** Raw little-endian bytes of the tensor, exactly `data_offsets[1] - data_offsets[0]` long. */
  bytes: Uint8Array
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, I8: 1, BOOL: 1,
}

interface HeaderEntry { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] }

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>
  metadata: Record<string, string>
}

export function readSafetensors(file: Uint8Array): SafetensorsFile {
  if (file.byteLength < 8) throw new Error('safetensors: file shorter than its 8-byte header length')
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const headerLength = Number(view.getBigUint64(0, true))
  if (8 + headerLength > file.byteLength) throw new Error(`safetensors: header length ${headerLength} runs past the end of the file`)
  const header = parseHeader(file.subarray(8, 8 + headerLength))
  const dataStart = 8 + headerLength
  const tensors = new Map<string, NamedTensor>()
  let metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = value as Record<string, string>; continue }
    const entry = value as HeaderEntry
    if (!isHeaderEntry(entry)) throw new Error(`safetensors: tensor ${name} needs dtype, shape and data_offsets [begin, end]`)
    const elementSize = BYTES_PER_ELEMENT[entry.dtype]
    if (!elementSize) throw new Error(`safetensors: tensor ${name} has unsupported dtype ${entry.dtype}`)
    const [begin, end] = entry.data_offsets
    if (begin < 0 || end < begin) throw new Error(`safetensors: tensor ${name} has invalid data_offsets [${begin}, ${end}]`)
    const expected = entry.shape.reduce((a, b) => a * b, 1) * elementSize
    if (end - begin !== expected) throw new Error(`safetensors: tensor ${name} spans ${end - begin} bytes, its shape needs ${expected}`)
    if (dataStart + end > file.byteLength) throw new Error(`safetensors: tensor ${name} runs past the end of the file`)
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, bytes: file.subarray(dataStart + begin, dataStart + end) })
  }
  return { tensors, metadata }
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder().decode(bytes))
  } catch (error) {
    throw new Error(`safetensors: header is not valid JSON (${(error as Error).message})`)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('safetensors: header is not a JSON object')
  return header as Record<string, unknown>
}

function isHeaderEntry(value: unknown): value is HeaderEntry {
  const entry = value as Partial<HeaderEntry> | null
  return typeof entry === 'object' && entry !== null && typeof entry.dtype === 'string'
    && Array.isArray(entry.shape) && entry.shape.every((size) => Number.isInteger(size) && size >= 0)
    && Array.isArray(entry.data_offsets) && entry.data_offsets.length === 2 && entry.data_offsets.every(Number.isInteger)
}

export function writeSafetensors(tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)
  // Sorted names give byte-identical files for identical content (content addressing relies on it).
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const header: Record<string, unknown> = {}
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata
  let offset = 0
  for (const [name, tensor] of entries) {
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.byteLength] }
    offset += tensor.bytes.byteLength
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header))
  // Pad the header with spaces to a multiple of 8 so tensor data stays aligned, as the reference writer does.
  const padded = Math.ceil(headerBytes.byteLength / 8) * 8
  if (padded !== headerBytes.byteLength) {
    const withPadding = new Uint8Array(padded).fill(0x20)
    withPadding.set(headerBytes)
    headerBytes = withPadding
  }
  const out = new Uint8Array(8 + headerBytes.byteLength + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true)
  out.set(headerBytes, 8)
  let cursor = 8 + headerBytes.byteLength
  for (const [, tensor] of entries) { out.set(tensor.bytes, cursor); cursor += tensor.bytes.byteLength }
  return out
}

/** Decodes a tensor to float32 values (F32, F16, BF16, F64, integer types). */
export function toFloat32(tensor: NamedTensor): Float32Array {
  const { bytes, dtype } = tensor
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = bytes.byteLength / BYTES_PER_ELEMENT[dtype]
  // Fast path: little-endian F32 bytes at an aligned offset are already the float32 values
  // (safetensors pads its header so that data starts aligned; the hosts we run on are little-endian).
  if (dtype === 'F32' && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count).slice()
  const out = new Float32Array(count)
  switch (dtype) {
    case 'F32': for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true); break
    case 'F64': for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true); break
    case 'BF16': for (let i = 0; i < count; i++) out[i] = bf16ToFloat(view.getUint16(i * 2, true)); break
    case 'F16': for (let i = 0; i < count; i++) out[i] = f16ToFloat(view.getUint16(i * 2, true)); break
    case 'I32': for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true); break
    case 'I64': for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true)); break
    case 'U8': case 'BOOL': for (let i = 0; i < count; i++) out[i] = view.getUint8(i); break
    case 'I8': for (let i = 0; i < count; i++) out[i] = view.getInt8(i); break
  }
  return out
}

export function fromFloat32(values: Float32Array, shape: number[]): NamedTensor {
  const bytes = new Uint8Array(values.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true)
  return { dtype: 'F32', shape, bytes }
}

function bf16ToFloat(bits: number): number {
  const buffer = new DataView(new ArrayBuffer(4))
  buffer.setUint32(0, bits << 16)
  return buffer.getFloat32(0)
}

function f16ToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}
