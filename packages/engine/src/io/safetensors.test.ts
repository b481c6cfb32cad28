import { describe, expect, it } from 'vitest'
import { fromFloat32, readSafetensors, toFloat32, writeSafetensors } from './safetensors'
import type { NamedTensor } from './safetensors'

/** Builds a file byte by byte as the format specifies, independently of writeSafetensors. */
function handWrittenFile(header: object | string, data: number[] = [], headerLengthOverride?: number): Uint8Array {
  const headerBytes = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header))
  const file = new Uint8Array(8 + headerBytes.length + data.length)
  new DataView(file.buffer).setBigUint64(0, BigInt(headerLengthOverride ?? headerBytes.length), true)
  file.set(headerBytes, 8)
  file.set(data, 8 + headerBytes.length)
  return file
}

function uint16Tensor(dtype: 'F16' | 'BF16', bits: number[]): NamedTensor {
  const bytes = new Uint8Array(bits.length * 2)
  bits.forEach((value, i) => new DataView(bytes.buffer).setUint16(i * 2, value, true))
  return { dtype, shape: [bits.length], bytes }
}

describe('safetensors', () => {
  it('round-trips tensors and metadata, names sorted, byte-identical on rewrite', () => {
    const weights = {
      'encoder.layer.0.weight': fromFloat32(new Float32Array([1.5, -2, 3.25, 0, 1e-8, -7]), [2, 3]),
      'embeddings.position_ids': { dtype: 'I64', shape: [3], bytes: new Uint8Array(new BigInt64Array([0n, 1n, 2n]).buffer) },
      'scalar': fromFloat32(new Float32Array([42]), []),
    } satisfies Record<string, NamedTensor>
    const file = writeSafetensors(weights, { format: 'pt' })
    const { tensors, metadata } = readSafetensors(file)
    expect(metadata).toEqual({ format: 'pt' })
    expect([...tensors.keys()]).toEqual(['embeddings.position_ids', 'encoder.layer.0.weight', 'scalar'])
    expect(tensors.get('encoder.layer.0.weight')?.shape).toEqual([2, 3])
    expect([...toFloat32(tensors.get('encoder.layer.0.weight')!)]).toEqual([...new Float32Array([1.5, -2, 3.25, 0, 1e-8, -7])])
    expect([...toFloat32(tensors.get('embeddings.position_ids')!)]).toEqual([0, 1, 2])
    expect([...toFloat32(tensors.get('scalar')!)]).toEqual([42])
    expect(writeSafetensors(tensors, metadata)).toEqual(file)
  })

  it('pads the header with spaces to a multiple of 8 so tensor data is aligned', () => {
    for (const name of ['a', 'ab', 'abc', 'a_longer_name']) {
      const file = writeSafetensors({ [name]: fromFloat32(new Float32Array([1, 2]), [2]) })
      const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true))
      expect(headerLength % 8).toBe(0)
      const header = new TextDecoder().decode(file.subarray(8, 8 + headerLength))
      expect(header).toMatch(/^\{.*\} *$/)
      expect(JSON.parse(header)[name]).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] })
    }
  })

  it('reads a file written to the specification by hand', () => {
    const file = handWrittenFile({ b: { dtype: 'I32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      [0, 0, 0x80, 0x3f, /* b */ 0xff, 0xff, 0xff, 0xff])
    const { tensors } = readSafetensors(file)
    expect([...toFloat32(tensors.get('a')!)]).toEqual([1])
    expect([...toFloat32(tensors.get('b')!)]).toEqual([-1])
  })

  it('decodes F16, including subnormals and infinities', () => {
    const values = toFloat32(uint16Tensor('F16', [0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0xfc00, 0x8000]))
    expect([...values]).toEqual([1, -2, 65504, 2 ** -24, Math.fround(0.333251953125), Infinity, -Infinity, -0])
    expect(toFloat32(uint16Tensor('F16', [0x7e00]))[0]).toBeNaN()
  })

  it('decodes BF16 as the top half of a float32', () => {
    expect([...toFloat32(uint16Tensor('BF16', [0x3f80, 0xc020, 0x4049, 0x0000, 0xff80]))]).toEqual([1, -2.5, 3.140625, 0, -Infinity])
  })

  it('decodes F32 at an unaligned byte offset', () => {
    const bytes = new Uint8Array(9)
    new DataView(bytes.buffer).setFloat32(1, 2.5, true)
    new DataView(bytes.buffer).setFloat32(5, -1, true)
    expect([...toFloat32({ dtype: 'F32', shape: [2], bytes: bytes.subarray(1) })]).toEqual([2.5, -1])
  })

  it.each([
    ['a file shorter than its length prefix', new Uint8Array(5), /shorter than its 8-byte header length/],
    ['a header length past the end', handWrittenFile({}, [], 1000), /runs past the end of the file/],
    ['a header that is not JSON', handWrittenFile('{"a": '), /header is not valid JSON/],
    ['a header that is not an object', handWrittenFile('[1, 2]'), /header is not a JSON object/],
    ['an entry without data_offsets', handWrittenFile({ a: { dtype: 'F32', shape: [1] } }, [0, 0, 0, 0]), /needs dtype, shape and data_offsets/],
    ['an unknown dtype', handWrittenFile({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, [0]), /unsupported dtype F8/],
    ['offsets that disagree with the shape', handWrittenFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /spans 4 bytes, its shape needs 8/],
    ['reversed offsets', handWrittenFile({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, [0, 0, 0, 0]), /invalid data_offsets/],
    ['data past the end of the file', handWrittenFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0]), /runs past the end of the file/],
  ])('rejects %s', (_, file, message) => {
    expect(() => readSafetensors(file)).toThrow(message)
  })
})
