import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Objective } from './lbfgs'
import { accumulateRowLosses, addL2Penalty, softmaxLossAndGradient, type SoftmaxProblem } from './softmax-loss'

/**
 * The softmax objective split over threads: the main thread takes the first block of
 * rows and each worker thread one more block, all reading the parameters from shared
 * memory. L-BFGS calls the objective synchronously, so the threads hand work over
 * with Atomics.wait/notify on a shared control array instead of messages. Blocks and
 * the order their gradients are summed in are fixed, so a given thread count always
 * gives bit-identical results.
 */
export interface SoftmaxObjective {
  evaluate: Objective
  /** Stops the worker threads; the objective cannot be used afterwards. */
  close(): void
}

/** Slots of the Int32 control array shared with each worker. */
export const Control = { request: 0, done: 1, ready: 2, failed: 3, stop: 4, length: 5 } as const

export interface GradientWorkerData {
  problem: SoftmaxProblem
  firstRow: number
  endRow: number
  parameters: Float64Array
  gradient: Float64Array
  loss: Float64Array
  control: Int32Array
}

interface Helper {
  worker: Worker
  gradient: Float64Array
  loss: Float64Array
  control: Int32Array
}

/**
 * There is no build step, so the worker runs the TypeScript source. Node 20 does not
 * apply ESM loader hooks (`--import tsx`) inside worker threads, but tsx's CommonJS
 * API compiles and loads a .ts file in the thread that calls it. Resolved when the first
 * helper starts, not on import: a bundle that only serves a saved model (the API and
 * inference Lambdas) never trains, and has no tsx.
 */
function workerBootstrap(): string {
  const workerSource = fileURLToPath(new URL('./gradient-worker.ts', import.meta.url))
  const tsxCjsApi = createRequire(import.meta.url).resolve('tsx/cjs/api')
  return `require(${JSON.stringify(tsxCjsApi)}).require(${JSON.stringify(workerSource)}, ${JSON.stringify(workerSource)})`
}

const WORKER_START_TIMEOUT_MS = 60_000
const EVALUATION_TIMEOUT_MS = 600_000

export function createSoftmaxObjective(problem: SoftmaxProblem, threads: number): SoftmaxObjective {
  if (threads <= 1) return { evaluate: (parameters, gradient) => softmaxLossAndGradient(problem, parameters, gradient), close: () => {} }

  const [own, ...others] = splitRowsByNonZeros(problem, threads)
  const size = problem.features.columnCount * problem.classCount + problem.classCount
  const sharedParameters = sharedFloats(size)
  const helpers = others.map(([firstRow, endRow]) => startHelper({ problem, firstRow, endRow, parameters: sharedParameters }, size))
  const close = (): void => {
    for (const { worker, control } of helpers) {
      Atomics.store(control, Control.stop, 1)
      Atomics.add(control, Control.request, 1)
      Atomics.notify(control, Control.request)
      void worker.terminate()
    }
  }
  try {
    for (const helper of helpers) waitForSlot(helper.control, Control.ready, 1, WORKER_START_TIMEOUT_MS, 'start')
  } catch (error) {
    close()
    throw error
  }

  let generation = 0
  const evaluate: Objective = (parameters, gradient) => {
    sharedParameters.set(parameters)
    generation++
    for (const { control } of helpers) {
      Atomics.store(control, Control.request, generation)
      Atomics.notify(control, Control.request)
    }
    gradient.fill(0)
    let lossSum = accumulateRowLosses(problem, own![0], own![1], parameters, gradient)
    for (const helper of helpers) {
      waitForSlot(helper.control, Control.done, generation, EVALUATION_TIMEOUT_MS, 'finish a gradient')
      lossSum += helper.loss[0]!
      for (let index = 0; index < size; index++) gradient[index]! += helper.gradient[index]!
    }
    return lossSum / problem.features.rowCount + addL2Penalty(problem, parameters, gradient)
  }
  return { evaluate, close }
}

/** Contiguous row blocks with about equal numbers of non-zeros (the work is per non-zero). */
export function splitRowsByNonZeros(problem: SoftmaxProblem, parts: number): [number, number][] {
  const { rowStarts, rowCount } = problem.features
  const total = rowStarts[rowCount]!
  const blocks: [number, number][] = []
  let firstRow = 0
  for (let part = 1; part <= parts; part++) {
    let endRow = firstRow
    const target = (total * part) / parts
    while (endRow < rowCount && (part === parts || rowStarts[endRow + 1]! <= target)) endRow++
    blocks.push([firstRow, endRow])
    firstRow = endRow
  }
  return blocks
}

function startHelper(shared: Pick<GradientWorkerData, 'problem' | 'firstRow' | 'endRow' | 'parameters'>, size: number): Helper {
  const data: GradientWorkerData = {
    ...shared,
    gradient: sharedFloats(size),
    loss: sharedFloats(1),
    control: new Int32Array(new SharedArrayBuffer(Control.length * Int32Array.BYTES_PER_ELEMENT)),
  }
  const worker = new Worker(workerBootstrap(), { eval: true, workerData: data })
  worker.unref()
  return { worker, gradient: data.gradient, loss: data.loss, control: data.control }
}

function sharedFloats(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT))
}

/** Blocks this thread until control[slot] reaches `value`, or throws after `timeoutMs`. */
function waitForSlot(control: Int32Array, slot: number, value: number, timeoutMs: number, what: string): void {
  const deadline = Date.now() + timeoutMs
  for (let current = Atomics.load(control, slot); current !== value; current = Atomics.load(control, slot)) {
    if (Atomics.load(control, Control.failed) === 1) throw new Error(`A gradient worker thread failed to ${what}; train with threads: 1 to see the error in this thread`)
    const remaining = deadline - Date.now()
    if (remaining <= 0) throw new Error(`A gradient worker thread did not ${what} within ${timeoutMs / 1000} s; train with threads: 1 where worker threads cannot load tsx`)
    Atomics.wait(control, slot, current, Math.min(remaining, 1000))
  }
}
