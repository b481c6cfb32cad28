/**
 * The indexer container's entrypoint (AWS Batch runs it on Fargate; the local runner
 * runs it as a child process). Job kinds: embed, index, vector-bench, hybrid.
 */
import { runJobProcess } from '@bankbench/core'
import { runEmbed } from './embed'
import { runHybrid } from './hybrid'
import { runIndex } from './index-job'
import { runVectorBench } from './vector-bench'

await runJobProcess({
  embed: runEmbed,
  index: runIndex,
  'vector-bench': runVectorBench,
  hybrid: runHybrid,
})
