/**
 * The trainer container's entrypoint (AWS Batch runs it in the GPU image; the local
 * runner runs it as a child process). Job kinds: baseline, train, pretrain, analyze, select, slots, generate.
 */
import { runJobProcess } from '@bankbench/core'
import { runAnalyze } from './analyze'
import { runBaseline } from './baseline'
import { runGenerate } from './generate'
import { runPretrain } from './pretrain'
import { runSelect } from './select'
import { runSlots } from './slots'
import { runTrain } from './train'

await runJobProcess({
  baseline: runBaseline,
  train: runTrain,
  pretrain: runPretrain,
  analyze: runAnalyze,
  select: runSelect,
  slots: runSlots,
  generate: runGenerate,
})
