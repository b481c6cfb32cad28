/**
 * Builds an ONNX graph one operator at a time: each `op` adds a node and returns the
 * name of its output, so graph code reads like the tensor code it mirrors. Weights
 * keep their checkpoint names; small constants are shared initializers.
 */
import { DataType } from './onnx-proto'
import type { AttributeValue, GraphValue, NodeValue, TensorValue, ValueInfo } from './onnx-proto'

export const int = (value: number): AttributeValue => ({ kind: 'int', value })
export const float = (value: number): AttributeValue => ({ kind: 'float', value })
export const ints = (value: readonly number[]): AttributeValue => ({ kind: 'ints', value })

export class GraphBuilder {
  private readonly nodes: NodeValue[] = []
  private readonly initializers: TensorValue[] = []
  private readonly inputs: ValueInfo[] = []
  private readonly outputs: ValueInfo[] = []
  private readonly opCounts = new Map<string, number>()
  private readonly constants = new Map<string, string>()

  input(info: ValueInfo): string {
    this.inputs.push(info)
    return info.name
  }

  /** Declares `info.name` a graph output; some node must produce it (`op`'s `outputName`). */
  output(info: ValueInfo): void {
    this.outputs.push(info)
  }

  /** A float32 initializer under its own (checkpoint) name. */
  weight(name: string, data: Float32Array, dims: readonly number[]): string {
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, data })
    return name
  }

  /** A float32 scalar constant, one initializer per distinct value. */
  scalar(value: number): string {
    return this.constant(`float:${value}`, () => ({ dataType: DataType.FLOAT, dims: [], data: Float32Array.of(value) }))
  }

  /** An int64 constant: a 1-D list (shapes, axes), or a scalar with `dims` []. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(`int64:${dims}:${values}`, () => ({ dataType: DataType.INT64, dims, data: BigInt64Array.from(values, BigInt) }))
  }

  /** Adds one node with a single output and returns that output's name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    const count = this.opCounts.get(opType) ?? 0
    this.opCounts.set(opType, count + 1)
    const name = `${opType}_${count}`
    const output = outputName ?? `${name}_out`
    this.nodes.push({ opType, name, inputs, outputs: [output], attributes })
    return output
  }

  build(name: string): GraphValue {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs }
  }

  private constant(key: string, make: () => Omit<TensorValue, 'name'>): string {
    let name = this.constants.get(key)
    if (!name) {
      name = `const_${this.constants.size}`
      this.constants.set(key, name)
      this.initializers.push({ name, ...make() })
    }
    return name
  }
}
