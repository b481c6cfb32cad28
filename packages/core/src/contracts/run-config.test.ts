import { describe, expect, it } from 'vitest'
import { benchmarkSpecSchema } from '../benchmarks/spec'
import { planRuns } from '../benchmarks/plan'
import { isRunConfigOfKind, parseRunConfig } from './run-config'

const stored = { method: 'lora', hyperparameters: { r: 8, lora_alpha: 16 }, seed: 42, epochs: 3, trainSubset: null, testSet: 'official', arm: 0 }

describe('parseRunConfig', () => {
  it('reads every config the planner writes back as it was written', () => {
    const spec = benchmarkSpecSchema.parse({ arms: [{ method: 'majority' }, { method: 'lora', config: { epochs: 2 }, grid: { r: [4, 8] } }, { method: 'mlm-pretrain' }] })
    for (const run of planRuns(spec)) expect(parseRunConfig(JSON.parse(JSON.stringify(run.config)))).toEqual(run.config)
  })

  it('keeps the hyperparameters as stored: validated, not rewritten', () => {
    const config = parseRunConfig({ ...stored, hyperparameters: { lora_alpha: 16, r: 8 } })
    expect(Object.keys(config.hyperparameters)).toEqual(['lora_alpha', 'r'])
  })

  it('reads a run planned before the protocol had a test set as one on the official split', () => {
    const { testSet: _testSet, ...older } = stored
    expect(parseRunConfig(older).testSet).toBe('official')
  })

  it('refuses a config that does not match, naming the field', () => {
    expect(() => parseRunConfig({ ...stored, hyperparameters: { r: 'eight' } }, 'run run_1')).toThrow(/run run_1's stored config does not match the run config contract: hyperparameters\.r: /)
    expect(() => parseRunConfig({ ...stored, hyperparameters: { rank: 8 } })).toThrow(/hyperparameters: .*rank/)
    expect(() => parseRunConfig({ ...stored, method: 'lorra' })).toThrow(/method: /)
    expect(() => parseRunConfig({ ...stored, epochs: undefined })).toThrow(/epochs: /)
  })
})

describe('isRunConfigOfKind', () => {
  it('matches a config to the job kinds that run (or, for analyze, read) its method', () => {
    const lora = parseRunConfig(stored)
    const majority = parseRunConfig({ ...stored, method: 'majority', hyperparameters: {} })
    expect([isRunConfigOfKind('train', lora), isRunConfigOfKind('analyze', lora), isRunConfigOfKind('baseline', lora)]).toEqual([true, true, false])
    expect([isRunConfigOfKind('baseline', majority), isRunConfigOfKind('analyze', majority), isRunConfigOfKind('pretrain', majority)]).toEqual([true, false, false])
  })
})
