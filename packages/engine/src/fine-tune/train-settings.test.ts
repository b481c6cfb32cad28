import { describe, expect, it } from 'vitest'
import { trainSettings } from './train-settings'

describe('trainSettings', () => {
  it('fills the trainer defaults and passes the rest to the PEFT method', () => {
    expect(trainSettings('lora', { r: 16, learning_rate: 0.01, target_modules: 'all-linear' })).toEqual({
      learningRate: 0.01, scheduler: 'linear', batchSize: 32, weightDecay: 0.01, warmupRatio: 0.06, maxLength: 64,
      peftConfig: { r: 16, lora_alpha: 32, target_modules: 'all-linear' },
    })
    expect(trainSettings('full', {})).toMatchObject({ learningRate: 1e-3, peftConfig: {} })
    expect(trainSettings('qlora', {}).learningRate).toBe(trainSettings('lora', {}).learningRate)
  })

  it('refuses a trainer field out of range, naming it', () => {
    expect(() => trainSettings('full', { batch_size: 0 })).toThrow(/batch_size/)
    expect(() => trainSettings('lora', { lr_scheduler: 'step' })).toThrow(/lr_scheduler/)
  })

  it('gives LoRA the platform\'s defaults (every linear layer, rank 16) unless the run names its own', () => {
    expect(trainSettings('lora', {}).peftConfig).toEqual({ target_modules: 'all-linear', r: 16, lora_alpha: 32 })
    expect(trainSettings('lora', { target_modules: ['query', 'value'], r: 8 }).peftConfig).toEqual({ target_modules: ['query', 'value'], r: 8, lora_alpha: 32 })
  })
})
