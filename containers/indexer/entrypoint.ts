/**
 * The indexer container's entrypoint (AWS Batch runs it on Fargate; the local runner
 * runs it as a child process). Job kinds: vector-bench, hybrid.
 */
import { runJobProcess } from '@bankbench/core'
import { runHybrid } from './hybrid'
import { runVectorBench } from './vector-bench'

await runJobProcess({
  'vector-bench': runVectorBench,
  hybrid: runHybrid,
})
