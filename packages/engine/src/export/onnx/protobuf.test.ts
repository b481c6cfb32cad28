import { describe, expect, it } from 'vitest'
import { ProtobufWriter, encodeVarint } from './protobuf'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('protobuf wire format', () => {
  it('encodes varints least significant group first, int64 negatives in ten bytes', () => {
    expect(hex(encodeVarint(0n))).toBe('00')
    expect(hex(encodeVarint(1n))).toBe('01')
    expect(hex(encodeVarint(300n))).toBe('ac02')
    expect(hex(new ProtobufWriter().varint(1, -1).finish())).toBe('08ffffffffffffffffff01')
    expect(hex(new ProtobufWriter().varint(1, 2 ** 40).finish())).toBe('08808080808020')
  })

  it('writes the examples of the protobuf encoding guide', () => {
    // message Test1 { int32 a = 1; } with a = 150; message Test2 { string b = 2; } with b = "testing".
    expect(hex(new ProtobufWriter().varint(1, 150).finish())).toBe('089601')
    expect(hex(new ProtobufWriter().string(2, 'testing').finish())).toBe('120774657374696e67')
    // message Test3 { Test1 c = 3; }
    expect(hex(new ProtobufWriter().message(3, new ProtobufWriter().varint(1, 150)).finish())).toBe('1a03089601')
  })

  it('writes floats as little-endian fixed32 and field numbers above 15 in two tag bytes', () => {
    expect(hex(new ProtobufWriter().float(2, 1).finish())).toBe('150000803f')
    expect(hex(new ProtobufWriter().varint(20, 7).finish())).toBe('a00107')
  })
})
