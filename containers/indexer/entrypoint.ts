/**
 * The indexer container's entrypoint (AWS Batch runs it on Fargate; the local runner
 * runs it as a child process). Job kinds: vector-bench.
 */
import { runJobProcess } from '@bankbench/core'
import { runVectorBench } from './vector-bench'

await runJobProcess({
  'vector-bench': runVectorBench,
})
