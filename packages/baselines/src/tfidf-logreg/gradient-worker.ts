/**
 * A worker thread of the parallel softmax objective (see parallel-objective.ts): it
 * waits for a new request number, adds the gradient of its rows into its shared
 * buffer, and publishes the request number as done.
 */
import { workerData } from 'node:worker_threads'
import { Control, type GradientWorkerData } from './parallel-objective'
import { accumulateRowLosses } from './softmax-loss'

const { problem, firstRow, endRow, parameters, gradient, loss, control } = workerData as GradientWorkerData

Atomics.store(control, Control.ready, 1)
Atomics.notify(control, Control.ready)

let served = 0
for (;;) {
  Atomics.wait(control, Control.request, served)
  if (Atomics.load(control, Control.stop) === 1) break
  served = Atomics.load(control, Control.request)
  try {
    gradient.fill(0)
    loss[0] = accumulateRowLosses(problem, firstRow, endRow, parameters, gradient)
  } catch (error) {
    Atomics.store(control, Control.failed, 1)
    throw error
  } finally {
    Atomics.store(control, Control.done, served)
    Atomics.notify(control, Control.done)
  }
}
