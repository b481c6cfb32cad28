/**
 * The subset of onnx.proto (ModelProto and what it holds) that an inference graph of
 * dense tensors needs, as plain objects, and their encoding. Field numbers are those of
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto; repeated scalars are written
 * unpacked, which every protobuf parser accepts for proto2 files like this one.
 */
import { ProtobufWriter } from './protobuf'

/** TensorProto.DataType values we use. */
export const DataType = { FLOAT: 1, INT64: 7 } as const
export type DataType = (typeof DataType)[keyof typeof DataType]

/** A constant tensor (initializer or Constant value), stored as little-endian raw_data. */
export interface TensorValue {
  name: string
  dataType: DataType
  dims: readonly number[]
  data: Float32Array | BigInt64Array
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }

export interface NodeValue {
  opType: string
  name: string
  inputs: readonly string[]
  outputs: readonly string[]
  attributes: Readonly<Record<string, AttributeValue>>
}

/** A graph input or output: element type and shape, each dimension a size or a symbolic name (dynamic). */
export interface ValueInfo {
  name: string
  elemType: DataType
  dims: readonly (number | string)[]
}

export interface GraphValue {
  name: string
  nodes: readonly NodeValue[]
  initializers: readonly TensorValue[]
  inputs: readonly ValueInfo[]
  outputs: readonly ValueInfo[]
}

export interface ModelValue {
  /** The IR version the opset belongs to (8 for opset 17). */
  irVersion: number
  opsetVersion: number
  producerName: string
  producerVersion: string
  graph: GraphValue
  /** metadata_props: what a runtime may read about the model (labels, pooling, ...). */
  metadata: Readonly<Record<string, string>>
}

const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const

export function encodeModel(model: ModelValue): Uint8Array {
  const writer = new ProtobufWriter()
    .varint(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .message(7, graphMessage(model.graph))
    // The default (empty) domain: the standard ai.onnx operators.
    .message(8, new ProtobufWriter().string(1, '').varint(2, model.opsetVersion))
  for (const [key, value] of Object.entries(model.metadata)) writer.message(14, new ProtobufWriter().string(1, key).string(2, value))
  return writer.finish()
}

function graphMessage(graph: GraphValue): ProtobufWriter {
  const writer = new ProtobufWriter()
  for (const node of graph.nodes) writer.message(1, nodeMessage(node))
  writer.string(2, graph.name)
  for (const tensor of graph.initializers) writer.message(5, tensorMessage(tensor))
  for (const input of graph.inputs) writer.message(11, valueInfoMessage(input))
  for (const output of graph.outputs) writer.message(12, valueInfoMessage(output))
  return writer
}

function nodeMessage(node: NodeValue): ProtobufWriter {
  const writer = new ProtobufWriter()
  for (const input of node.inputs) writer.string(1, input)
  for (const output of node.outputs) writer.string(2, output)
  writer.string(3, node.name).string(4, node.opType)
  for (const [name, attribute] of Object.entries(node.attributes)) writer.message(5, attributeMessage(name, attribute))
  return writer
}

function attributeMessage(name: string, attribute: AttributeValue): ProtobufWriter {
  const writer = new ProtobufWriter().string(1, name)
  switch (attribute.kind) {
    case 'float': return writer.float(2, attribute.value).varint(20, AttributeType.FLOAT)
    case 'int': return writer.varint(3, attribute.value).varint(20, AttributeType.INT)
    case 'ints':
      for (const value of attribute.value) writer.varint(8, value)
      return writer.varint(20, AttributeType.INTS)
  }
}

export function tensorMessage(tensor: TensorValue): ProtobufWriter {
  const size = tensor.dims.reduce((product, dim) => product * dim, 1)
  if (size !== tensor.data.length) throw new Error(`tensor ${tensor.name}: dims [${tensor.dims}] hold ${size} values, data has ${tensor.data.length}`)
  const writer = new ProtobufWriter()
  for (const dim of tensor.dims) writer.varint(1, dim)
  return writer.varint(2, tensor.dataType).string(8, tensor.name).bytes(9, littleEndianBytes(tensor.data))
}

function valueInfoMessage(value: ValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter()
  for (const dim of value.dims) shape.message(1, typeof dim === 'number' ? new ProtobufWriter().varint(1, dim) : new ProtobufWriter().string(2, dim))
  const tensorType = new ProtobufWriter().varint(1, value.elemType).message(2, shape)
  return new ProtobufWriter().string(1, value.name).message(2, new ProtobufWriter().message(1, tensorType))
}

/** raw_data is little-endian whatever the host's byte order. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.byteLength)
  const view = new DataView(bytes.buffer)
  if (data instanceof Float32Array) data.forEach((value, index) => view.setFloat32(index * 4, value, true))
  else data.forEach((value, index) => view.setBigInt64(index * 8, value, true))
  return bytes
}
