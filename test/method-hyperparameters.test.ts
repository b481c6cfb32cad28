/**
 * One source for each method's hyperparameters: the engine's config schemas. The API's
 * catalogue (core's METHOD_CATALOG; core may not import the engine) is generated from
 * the engine's description of them; this checks that the generated file is current
 * and that the two accept and refuse the same values.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { METHOD_CATALOG } from '@bankbench/core'
import {
  backboneSettingsSchema, METHOD_HYPERPARAMETERS, PEFT_METHODS, peftMethod, trainSettings,
  type EngineMethodName, type HyperparameterDescription, type PeftMethodName,
} from '@bankbench/engine'
import { ENGINE_HYPERPARAMETERS_PATH, renderEngineHyperparameters } from '../scripts/write-method-hyperparameters'

const ENGINE_METHODS = Object.keys(METHOD_HYPERPARAMETERS) as EngineMethodName[]

/** Whether the engine takes this run config: the trainer's settings and the PEFT method's schema, or the backbone's. */
function engineAccepts(method: EngineMethodName, hyperparameters: Record<string, unknown>): boolean {
  try {
    if (method === 'mlm-pretrain') {
      backboneSettingsSchema.parse(hyperparameters)
    } else {
      peftMethod(method).configSchema.parse(trainSettings(method, hyperparameters).peftConfig)
    }
    return true
  } catch {
    return false
  }
}

/** Fields a probe of another field needs set so that a rule across fields holds (one head divides any hidden size). */
const PROBE_CONTEXT: Partial<Record<EngineMethodName, Record<string, Record<string, unknown>>>> = {
  'mlm-pretrain': { hidden_size: { num_attention_heads: 1 } },
}

const apiAccepts = (method: EngineMethodName, hyperparameters: Record<string, unknown>) => METHOD_CATALOG[method].config.safeParse(hyperparameters).success

/** Values on and just past each edge of a field's range, and its choices; `true` where both must accept the value. */
function probes(field: HyperparameterDescription): [value: unknown, valid: boolean][] {
  switch (field.type) {
    case 'boolean':
      return [[true, true], [false, true], ['yes', false]]
    case 'enum':
      return [...field.values!.map((value): [unknown, boolean] => [value, true]), ['not-a-choice', false], [1, false]]
    case 'modules':
      return [['all-linear', true], [['query', 'value'], true], ['.*\\.dense', true], [[], false], ['(', false], [3, false]]
    case 'integer':
    case 'number': {
      const step = field.type === 'integer' ? 1 : 1e-6
      const cases: [unknown, boolean][] = [['1', false]]
      if (field.minimum !== undefined) cases.push([field.minimum, true], [field.minimum - step, false])
      if (field.exclusiveMinimum !== undefined) cases.push([field.exclusiveMinimum, false], [field.exclusiveMinimum + step, true])
      if (field.maximum !== undefined) cases.push([field.maximum, true], [field.maximum + step, false])
      if (field.exclusiveMaximum !== undefined) cases.push([field.exclusiveMaximum, false], [field.exclusiveMaximum - step, true])
      if (field.type === 'integer') cases.push([(field.minimum ?? field.exclusiveMinimum ?? 0) + 1.5, false])
      return cases
    }
  }
}

describe('engine-hyperparameters.generated.ts', () => {
  it('is what the engine\'s config schemas describe now', () => {
    const committed = readFileSync(ENGINE_HYPERPARAMETERS_PATH, 'utf8')
    if (committed !== renderEngineHyperparameters()) {
      expect.fail('packages/core/src/benchmarks/engine-hyperparameters.generated.ts is stale: the engine\'s hyperparameters changed since it was written. Run `npm run hyperparameters` and commit the result.')
    }
  })
})

describe('the API\'s method catalogue and the engine', () => {
  it('know the same train methods', () => {
    const trainMethods = Object.entries(METHOD_CATALOG).filter(([, entry]) => entry.jobKind === 'train').map(([name]) => name)
    expect(trainMethods.sort()).toEqual(Object.keys(PEFT_METHODS).sort())
    expect(METHOD_CATALOG['mlm-pretrain'].jobKind).toBe('pretrain')
  })

  it.each(ENGINE_METHODS)('%s: the API takes exactly the engine\'s fields, and the planner\'s epochs', (method) => {
    expect(Object.keys(METHOD_CATALOG[method].config.shape).sort()).toEqual(['epochs', ...METHOD_HYPERPARAMETERS[method].map((field) => field.name)].sort())
  })

  it.each(ENGINE_METHODS)('%s: both accept every default and the values in range, and both refuse those out of it', (method) => {
    for (const field of METHOD_HYPERPARAMETERS[method]) {
      if (field.default !== null) {
        expect(apiAccepts(method, { [field.name]: field.default }), `the API refuses ${method}'s default ${field.name}`).toBe(true)
        expect(engineAccepts(method, { [field.name]: field.default }), `the engine refuses ${method}'s default ${field.name}`).toBe(true)
      }
      for (const [value, valid] of probes(field)) {
        const config = { ...PROBE_CONTEXT[method]?.[field.name], [field.name]: value }
        expect(apiAccepts(method, config), `API: ${method} ${field.name}=${JSON.stringify(value)}`).toBe(valid)
        expect(engineAccepts(method, config), `engine: ${method} ${field.name}=${JSON.stringify(value)}`).toBe(valid)
      }
    }
  })

  it('apply the same rules across fields', () => {
    const cases: [EngineMethodName, Record<string, unknown>, boolean][] = [
      ['ia3', { target_modules: ['key', 'value', 'output.dense'], feedforward_modules: ['output.dense'] }, true],
      ['ia3', { target_modules: ['key', 'value'], feedforward_modules: ['output.dense'] }, false],
      ['ia3', { target_modules: 'all-linear', feedforward_modules: ['output.dense'] }, true],
      ['ia3', { target_modules: ['key', 'output.dense'], feedforward_modules: '.*output\\.dense' }, true],
      ['mlm-pretrain', { hidden_size: 64, num_attention_heads: 4 }, true],
      ['mlm-pretrain', { hidden_size: 64, num_attention_heads: 3 }, false],
      // The engine's default of the field left out counts: 2 heads do not divide 63.
      ['mlm-pretrain', { hidden_size: 63 }, false],
      ['mlm-pretrain', { num_attention_heads: 3 }, false],
    ]
    for (const [method, config, valid] of cases) {
      expect(apiAccepts(method, config), `API: ${method} ${JSON.stringify(config)}`).toBe(valid)
      expect(engineAccepts(method, config), `engine: ${method} ${JSON.stringify(config)}`).toBe(valid)
    }
  })

  it('the defaults a run gets are the platform\'s where they differ from PEFT\'s', () => {
    const lora = Object.fromEntries(METHOD_HYPERPARAMETERS.lora.map((field) => [field.name, field]))
    expect(lora.r).toMatchObject({ default: 16, libraryDefault: 8, peftField: 'LoraConfig.r' })
    expect(lora.target_modules).toMatchObject({ default: 'all-linear', libraryDefault: null })
    const settings = trainSettings('lora' satisfies PeftMethodName, {})
    expect(settings.learningRate).toBe(lora.learning_rate!.default)
    expect(settings.peftConfig).toMatchObject({ r: lora.r!.default, lora_alpha: lora.lora_alpha!.default, target_modules: lora.target_modules!.default })
  })
})
