/**
 * The part of the protobuf wire format an ONNX file needs, written by hand: varints,
 * 32-bit floats and length-delimited fields (strings, bytes, nested messages). The
 * ONNX subset we write is small enough that a schema compiler or a runtime dependency
 * would be more code than this.
 * https://protobuf.dev/programming-guides/encoding/
 */

const WIRE_VARINT = 0
const WIRE_LENGTH_DELIMITED = 2
const WIRE_FIXED32 = 5

const textEncoder = new TextEncoder()

/** Appends fields of one message; `finish()` gives its bytes, which a parent embeds with `message()`. */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = []
  private length = 0

  /** An int32/int64/enum/bool field. Negative values take ten bytes (two's complement), as protobuf encodes int64. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT)
    this.push(encodeVarint(BigInt.asUintN(64, BigInt(value))))
    return this
  }

  /** A `float` field (fixed 32 bits, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32)
    const bytes = new Uint8Array(4)
    new DataView(bytes.buffer).setFloat32(0, value, true)
    this.push(bytes)
    return this
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value))
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED)
    this.push(encodeVarint(BigInt(value.length)))
    this.push(value)
    return this
  }

  /** An embedded message: the bytes of its own writer. */
  message(field: number, value: ProtobufWriter): this {
    return this.bytes(field, value.finish())
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }

  private tag(field: number, wireType: number): void {
    this.push(encodeVarint(BigInt((field << 3) | wireType)))
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk)
    this.length += chunk.length
  }
}

/** Base-128 varint of an unsigned 64-bit value, least significant group first. */
export function encodeVarint(value: bigint): Uint8Array {
  const bytes: number[] = []
  let rest = value
  do {
    const low = Number(rest & 0x7fn)
    rest >>= 7n
    bytes.push(rest > 0n ? low | 0x80 : low)
  } while (rest > 0n)
  return Uint8Array.from(bytes)
}
