import { describe, expect, it } from 'vitest'
import { ProblemError } from '../errors'
import { planRuns } from './plan'
import { LORA_MODULE_SETS, PRESET_NAMES, PRESETS, withPresetProtocol } from './presets'
import { benchmarkSpecSchema } from './spec'

const plan = (input: unknown) => planRuns(benchmarkSpecSchema.parse(withPresetProtocol(input)))
const countByMethod = (runs: { method: string }[]) => Object.fromEntries([...new Set(runs.map((run) => run.method))].map((method) => [method, runs.filter((run) => run.method === method).length]))

describe('presets', () => {
  it('every preset plans: its methods exist and its hyperparameters validate', () => {
    for (const preset of PRESET_NAMES) expect(plan({ preset }).length, preset).toBeGreaterThan(0)
  })

  it('demo runs every method once on the shipped base model (no pretraining), 5,000 rows for 4 epochs (prefix tuning 6) at the short budget\'s learning rates; floors are the two trivial baselines', () => {
    const demo = plan({ preset: 'demo' })
    expect(demo.map((run) => run.method)).toEqual(['random', 'majority', 'tfidf-logreg', 'frozen-probe', 'full', 'lora', 'qlora', 'ia3', 'prefix-tuning', 'adapter'])
    expect(demo.map((run) => run.jobKind)).not.toContain('pretrain')
    for (const run of demo) expect(run.config).toMatchObject({ seed: 42, epochs: run.method === 'prefix-tuning' ? 6 : 4, trainSubset: 5000 })
    expect(demo.find((run) => run.method === 'full')!.config.hyperparameters).toEqual({ learning_rate: 1e-3 })
    expect(plan({ preset: 'floors' }).map((run) => [run.method, run.jobKind])).toEqual([['random', 'baseline'], ['majority', 'baseline']])
  })

  it('quick (the notebook\'s default) puts the baselines beside LoRA on q/v at r 4 and 16, 2 epochs on 1,000 rows, the 500-row test sample', () => {
    const runs = plan({ preset: 'quick' })
    expect(runs.map((run) => [run.method, run.jobKind, (run.config.hyperparameters as { r?: number }).r])).toEqual([
      ['majority', 'baseline', undefined], ['tfidf-logreg', 'baseline', undefined], ['frozen-probe', 'baseline', undefined], ['lora', 'train', 4], ['lora', 'train', 16],
    ])
    for (const run of runs) expect(run.config).toMatchObject({ seed: 42, epochs: 2, trainSubset: 1000, testSet: 'sample500' })
  })

  it('methods compares every method at its defaults to convergence (prefix tuning 20 epochs, the others 10); tuning sweeps each method\'s learning rate (and its size knob) on the whole split', () => {
    const methods = plan({ preset: 'methods' })
    expect(methods.filter((run) => run.jobKind === 'train').map((run) => run.method)).toEqual(['full', 'lora', 'qlora', 'ia3', 'prefix-tuning', 'adapter'])
    for (const run of methods) expect(run.config).toMatchObject({ seed: 42, epochs: run.method === 'prefix-tuning' ? 20 : 10, trainSubset: null })
    const tuning = plan({ preset: 'tuning' })
    expect(countByMethod(tuning)).toEqual({ full: 3, lora: 3, qlora: 3, ia3: 3 * 2, 'prefix-tuning': 3 * 2, adapter: 3 * 2 })
    expect(tuning.map((run) => run.config.hyperparameters)).toContainEqual({ learning_rate: 0.03, target_modules: 'all-linear' })
    expect(tuning.map((run) => run.config.hyperparameters)).toContainEqual({ learning_rate: 0.005, reduction_factor: 4 })
  })

  it('seed-grid is the seed study\'s grid', () => {
    const runs = plan({ preset: 'seed-grid' })
    expect(countByMethod(runs)).toEqual({ lora: 5 * 3 * 3 * 2, qlora: 2 * 2 * 2 * 2, ia3: 1, 'prefix-tuning': 3 * 2, adapter: 3 * 2, full: 3 * 2 })
    expect(runs.filter((run) => run.method === 'lora').map((run) => run.config.hyperparameters)).toContainEqual(
      { r: 64, lora_alpha: 32, lora_dropout: 0.2, target_modules: 'all-linear' })
    expect(runs.filter((run) => run.method === 'qlora').map((run) => run.config.hyperparameters)).toContainEqual(
      { r: 16, lora_alpha: 16, bnb_4bit_quant_type: 'fp4', bnb_4bit_use_double_quant: false })
    expect(runs.map((run) => run.ordinal)).toEqual(runs.map((_, index) => index))
  })

  it('seed-grid-small trains each method once or twice for 1 epoch on 1,000 rows; the request\'s own protocol fields win', () => {
    const runs = plan({ preset: 'seed-grid-small' })
    expect(countByMethod(runs)).toEqual({ lora: 2, qlora: 1, ia3: 1, 'prefix-tuning': 1, adapter: 1, full: 1 })
    for (const run of runs) expect(run.config).toMatchObject({ epochs: 1, trainSubset: 1000, testSet: 'sample500' })
    expect(plan({ preset: 'seed-grid-small', protocol: { epochs: 2 } })[0]!.config).toMatchObject({ epochs: 2, trainSubset: 1000 })
  })

  it('lora-modules trains one LoRA run per module set', () => {
    const targets = plan({ preset: 'lora-modules' }).map((run) => (run.config.hyperparameters as { target_modules: unknown }).target_modules)
    expect(targets).toEqual(Object.values(LORA_MODULE_SETS))
  })

  it('the feed-forward module set matches BERT\'s feed-forward layers and not the attention output', () => {
    const pattern = new RegExp(`^(?:${LORA_MODULE_SETS['feed-forward']})$`)
    expect(['bert.encoder.layer.0.intermediate.dense', 'bert.encoder.layer.11.output.dense'].every((name) => pattern.test(name))).toBe(true)
    expect(['bert.encoder.layer.0.attention.output.dense', 'bert.encoder.layer.0.attention.self.query'].some((name) => pattern.test(name))).toBe(false)
  })

  it('a preset may stand as an arm beside written-out arms', () => {
    const runs = plan({ arms: [{ method: 'majority' }, { preset: 'lora-rank' }] })
    expect(runs.map((run) => [run.method, (run.config.hyperparameters as { r?: number }).r, run.config.arm])).toEqual([
      ['majority', undefined, 0], ['lora', 4, 1], ['lora', 8, 1], ['lora', 16, 1], ['lora', 32, 1], ['lora', 64, 1],
    ])
  })

  it('takes arms or a preset, not both and not neither, and refuses an unknown preset', () => {
    expect(benchmarkSpecSchema.safeParse({ preset: 'seed-grid', arms: [{ method: 'majority' }] }).error?.issues[0]?.message).toMatch(/either arms or preset/)
    expect(benchmarkSpecSchema.safeParse({}).success).toBe(false)
    expect(benchmarkSpecSchema.safeParse({ preset: 'seed-grid-huge' }).success).toBe(false)
    expect(benchmarkSpecSchema.safeParse({ arms: [{ preset: 'nope' }] }).success).toBe(false)
  })
})

describe('presets on real checkpoints', () => {
  const SIX = ['full', 'lora', 'qlora', 'ia3', 'prefix-tuning', 'adapter']

  it.each([['bert-base', 'hf://google-bert/bert-base-uncased'], ['roberta-base', 'hf://FacebookAI/roberta-base']])(
    '%s: the six methods at the study\'s settings on %s, 3 seeds, 3 epochs on the whole training split', (preset, baseModel) => {
      const spec = benchmarkSpecSchema.parse(withPresetProtocol({ preset }))
      expect(spec.baseModel).toBe(baseModel)
      const runs = planRuns(spec)
      expect(countByMethod(runs)).toEqual(Object.fromEntries(SIX.map((method) => [method, 3])))
      expect(runs.map((run) => run.jobKind)).toEqual(Array(18).fill('train'))
      for (const run of runs) expect(run.config).toMatchObject({ epochs: 3, testSet: 'official' })
      expect(runs.every((run) => run.config.trainSubset === null)).toBe(true)
      // Literature learning rates for a 110M encoder, not bankbench-mini's tuned defaults.
      expect(Object.fromEntries(runs.filter((run) => run.seed === 42).map((run) => [run.method, (run.config.hyperparameters as { learning_rate: number }).learning_rate])))
        .toEqual({ full: 2e-5, lora: 5e-4, qlora: 5e-4, ia3: 3e-3, 'prefix-tuning': 1e-2, adapter: 3e-4 })
    })

  it('llama2-7b-qlora: one QLoRA run on the gated Llama-2-7B with the base stored 4-bit (NF4, double quantization), and says it does not run here', () => {
    const spec = benchmarkSpecSchema.parse(withPresetProtocol({ preset: 'llama2-7b-qlora' }))
    expect(spec.baseModel).toBe('hf://meta-llama/Llama-2-7b-hf')
    const runs = planRuns(spec)
    expect(runs.map((run) => [run.method, run.jobKind])).toEqual([['qlora', 'train']])
    expect(runs[0]!.config.hyperparameters).toMatchObject({ bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, target_modules: 'all-linear', r: 64 })
    expect(PRESETS['llama2-7b-qlora'].description).toMatch(/gated: HF_TOKEN/)
    expect(PRESETS['llama2-7b-qlora'].description).toMatch(/not on this project's Batch GPU jobs as they are .* Never run here: no measured result/s)
  })

  it('a request\'s own baseModel and protocol win; preset arms bring their base model; presets of two base models need one named', () => {
    expect(benchmarkSpecSchema.parse(withPresetProtocol({ preset: 'bert-base', baseModel: 's3://models/bert', protocol: { seeds: [1] } })))
      .toMatchObject({ baseModel: 's3://models/bert', protocol: { seeds: [1], epochs: 3 } })
    expect(benchmarkSpecSchema.parse(withPresetProtocol({ arms: [{ method: 'tfidf-logreg' }, { preset: 'roberta-base' }] })).baseModel).toBe('hf://FacebookAI/roberta-base')
    expect(benchmarkSpecSchema.parse(withPresetProtocol({ arms: [{ preset: 'lora-rank' }, { preset: 'bert-base' }] })).baseModel).toBe('hf://google-bert/bert-base-uncased')
    expect(benchmarkSpecSchema.parse(withPresetProtocol({ preset: 'demo' })).baseModel).toBeUndefined()
    const mixed = benchmarkSpecSchema.safeParse(withPresetProtocol({ arms: [{ preset: 'bert-base' }, { preset: 'roberta-base' }] }))
    expect(mixed.error?.issues[0]).toMatchObject({ path: ['baseModel'], message: expect.stringMatching(/different base models/) })
    expect(benchmarkSpecSchema.safeParse(withPresetProtocol({ arms: [{ preset: 'bert-base' }, { preset: 'roberta-base' }], baseModel: 'hf://acme/bert' })).success).toBe(true)
  })
})

describe('subsample', () => {
  const subsample = (seed: number) => plan({ preset: 'seed-grid', subsample: { maxRunsPerMethod: 2, seed } })

  it('keeps at most maxRunsPerMethod runs of each method, in plan order, numbered again', () => {
    const runs = subsample(7)
    expect(countByMethod(runs)).toEqual({ lora: 2, qlora: 2, ia3: 1, 'prefix-tuning': 2, adapter: 2, full: 2 })
    expect(runs.map((run) => run.ordinal)).toEqual(runs.map((_, index) => index))
    const lora = runs.filter((run) => run.method === 'lora').map((run) => run.config.arm)
    expect(lora).toEqual([0, 0])
  })

  it('is seeded: the same seed draws the same runs, another seed others', () => {
    const configs = (seed: number) => subsample(seed).map((run) => JSON.stringify(run.config))
    expect(configs(7)).toEqual(configs(7))
    expect(configs(7)).not.toEqual(configs(8))
  })

  it('applies budget.maxRuns to the subsample, not to the whole grid', () => {
    expect(plan({ preset: 'seed-grid', subsample: { maxRunsPerMethod: 1 }, budget: { maxRuns: 6 } })).toHaveLength(6)
    try {
      plan({ preset: 'seed-grid', budget: { maxRuns: 6 } })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemError)
      expect((error as Error).message).toMatch(/expands to 125 runs \(the largest is the lora arm: 5 r x 3 lora_alpha x 3 lora_dropout x 2 target_modules x 1 seed\), more than budget.maxRuns=6; shrink the grids, add a subsample/)
    }
  })
})
