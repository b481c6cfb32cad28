import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { createSequenceClassifier } from '../models'
import type { SequenceClassifier } from '../models'
import { tinyConfig } from '../models/testing/fixtures'
import { PEFT_METHODS, applyPeft } from './registry'

beforeAll(async () => {
  await initBackend()
})

let model: SequenceClassifier
afterEach(() => model.dispose())

describe('PEFT registry', () => {
  it('lists the methods by name', () => {
    model = createSequenceClassifier(tinyConfig('bert'), undefined, { seed: 1 })
    expect(Object.keys(PEFT_METHODS).sort()).toEqual(['adapter', 'full', 'ia3', 'lora', 'prefix-tuning', 'qlora'])
  })

  it('full fine-tuning trains every parameter', () => {
    model = createSequenceClassifier(tinyConfig('bert'), undefined, { seed: 1 })
    const applied = applyPeft(model, 'full')
    expect(applied.trainableVariables).toHaveLength(model.parameters.size)
    expect(applied.parameterCounts.trainable).toBe(applied.parameterCounts.total)
  })

  it('validates the config against the method\'s schema, and names unknown methods', () => {
    model = createSequenceClassifier(tinyConfig('bert'), undefined, { seed: 1 })
    expect(() => applyPeft(model, 'lora', { r: -1 })).toThrow()
    expect(() => applyPeft(model, 'full', { learning_rate: 1 })).toThrow()
    expect(() => applyPeft(model, 'dora')).toThrow(/unknown PEFT method "dora"; known: full, lora/)
  })
})
