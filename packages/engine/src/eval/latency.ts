import { latencySummary, type LatencySummary } from '@bankbench/metrics'

export interface LatencyOptions {
  /** Untimed calls first, so that kernel compilation and allocation warm-up are not measured. Default 5. */
  warmup?: number
  /** Timed calls. Default 50. */
  runs?: number
}

export interface LatencyMeasurement {
  samplesMs: number[]
  summary: LatencySummary
}

/**
 * Times `predictOne` one input at a time (batch 1), cycling through `inputs`.
 * `predictOne` must resolve only once its result is materialised (e.g. after
 * `await logits.data()`): tfjs ops on a GPU return before the work is done.
 */
export async function measureLatency<Input>(
  predictOne: (input: Input) => unknown,
  inputs: readonly Input[],
  { warmup = 5, runs = 50 }: LatencyOptions = {},
): Promise<LatencyMeasurement> {
  if (inputs.length === 0) throw new Error('measureLatency: no inputs to predict')
  for (let call = 0; call < warmup; call++) await predictOne(inputs[call % inputs.length]!)
  const samplesMs: number[] = []
  for (let call = 0; call < runs; call++) {
    const start = performance.now()
    await predictOne(inputs[call % inputs.length]!)
    samplesMs.push(performance.now() - start)
  }
  return { samplesMs, summary: latencySummary(samplesMs) }
}

export interface ThroughputMeasurement {
  batchSize: number
  examples: number
  totalMs: number
  examplesPerSecond: number
}

/** Examples per second through `predictBatch` at a fixed batch size; same warm-up and materialisation rules as `measureLatency`. */
export async function measureThroughput<Input>(
  predictBatch: (batch: Input[]) => unknown,
  inputs: readonly Input[],
  { batchSize, warmup = 2, runs = 10 }: LatencyOptions & { batchSize: number },
): Promise<ThroughputMeasurement> {
  if (inputs.length === 0) throw new Error('measureThroughput: no inputs to predict')
  const batchAt = (call: number): Input[] =>
    Array.from({ length: batchSize }, (_, offset) => inputs[(call * batchSize + offset) % inputs.length]!)
  for (let call = 0; call < warmup; call++) await predictBatch(batchAt(call))
  const start = performance.now()
  for (let call = 0; call < runs; call++) await predictBatch(batchAt(call))
  const totalMs = performance.now() - start
  const examples = runs * batchSize
  return { batchSize, examples, totalMs, examplesPerSecond: examples / (totalMs / 1000) }
}
