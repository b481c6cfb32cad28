import { describe, expect, it } from 'vitest'
import { PRESET_NAMES } from '@bankbench/core'
import { createApp } from '../app'

// Presets are code: listing them needs no database, so the platform getter must never be called.
const app = createApp(() => Promise.reject(new Error('GET /v1/presets must not touch the platform')))

describe('GET /v1/presets', () => {
  it('lists each preset with its description, run count per method and protocol', async () => {
    const response = await app.request('/v1/presets')
    expect(response.status).toBe(200)
    const { items } = await response.json() as { items: { name: string; runCount: number; runsByMethod: Record<string, number>; protocol: object }[] }
    // Every preset there is: the CLI's demo and floors are served from the same list, not kept apart.
    expect(items.map((item) => item.name)).toEqual([...PRESET_NAMES])
    expect(items.map((item) => item.name)).toEqual([
      'demo', 'floors', 'methods', 'tuning', 'quick', 'seed-grid', 'seed-grid-small', 'lora-modules', 'lora-rank', 'slots', 'generative', 'selection', 'selection-quick', 'vector', 'vector-quick',
      'bert-base', 'roberta-base', 'llama2-7b-qlora',
    ])
    const byName = Object.fromEntries(items.map((item) => [item.name, item as typeof item & { baseModel: string | null }]))
    expect(byName.demo!.baseModel).toBeNull()
    expect(byName['bert-base']).toMatchObject({ baseModel: 'hf://google-bert/bert-base-uncased', runCount: 18, protocol: { seeds: [42, 43, 44], epochs: 3 } })
    expect(byName['roberta-base']).toMatchObject({ baseModel: 'hf://FacebookAI/roberta-base', runCount: 18 })
    expect(byName.generative).toMatchObject({ runCount: 2, runsByMethod: { 'generate-lora': 1, 'generate-full': 1 }, protocol: { trainSubset: 3000, testSet: 'sample500' } })
    expect(byName['llama2-7b-qlora']).toMatchObject({ baseModel: 'hf://meta-llama/Llama-2-7b-hf', runCount: 1, runsByMethod: { qlora: 1 } })
    expect(byName['seed-grid']).toMatchObject({ runCount: 125, runsByMethod: { lora: 90, qlora: 16, ia3: 1, 'prefix-tuning': 6, adapter: 6, full: 6 } })
    expect(byName['seed-grid-small']).toMatchObject({ runCount: 7, protocol: { epochs: 1, trainSubset: 1000, testSet: 'sample500' } })
    expect(byName['lora-modules']!.runCount).toBe(6)
    expect(byName.demo).toMatchObject({
      runCount: 10, protocol: { seeds: [42], epochs: 4, trainSubset: 5000 },
      runsByMethod: { random: 1, majority: 1, 'tfidf-logreg': 1, 'frozen-probe': 1, full: 1, lora: 1, qlora: 1, ia3: 1, 'prefix-tuning': 1, adapter: 1 },
    })
    expect(byName.floors).toMatchObject({ runCount: 2, runsByMethod: { random: 1, majority: 1 } })
    expect(byName.quick).toMatchObject({
      runCount: 5, protocol: { seeds: [42], epochs: 2, trainSubset: 1000, testSet: 'sample500' },
      runsByMethod: { majority: 1, 'tfidf-logreg': 1, 'frozen-probe': 1, lora: 2 },
    })
    expect(byName.slots).toMatchObject({ runCount: 3, protocol: { seeds: [42], epochs: 20 }, runsByMethod: { 'slots-rules': 1, 'slots-lora': 1, 'slots-full': 1 } })
    for (const item of items) expect(Object.values(item.runsByMethod).reduce((sum, count) => sum + count, 0)).toBe(item.runCount)
  })
})
