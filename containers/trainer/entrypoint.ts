/**
 * The trainer container's entrypoint (AWS Batch runs it in the GPU image; the local
 * runner runs it as a child process). Job kinds: baseline, train, pretrain.
 */
import { runJobProcess } from '@bankbench/core'
import { runBaseline } from './baseline'

await runJobProcess({
  baseline: runBaseline,
})
