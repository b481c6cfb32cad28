/**
 * Named benchmarks the CLI submits with `--preset <name>`. A name that is not here
 * is sent as `{ "preset": name }`: the server's own presets (`GET /v1/presets`)
 * then apply, and the server says which names exist.
 */
export const CLI_PRESETS = {
  /**
   * `npm run demo`: the baselines and all six adaptation methods at small settings, on
   * a local backbone pretrained first (reused when one from the same recipe exists), so
   * that the whole study runs in minutes on a 2-core laptop. Three epochs on 5,000
   * training rows are far from each method's best: `seed-grid-small` and longer
   * protocols measure that.
   */
  demo: {
    name: 'demo: six adaptation methods and the baselines on Banking77',
    dataset: 'banking77',
    arms: [
      { method: 'mlm-pretrain', config: { epochs: 3 } },
      { method: 'random' },
      { method: 'majority' },
      { method: 'tfidf-logreg' },
      { method: 'full' },
      { method: 'lora' },
      { method: 'qlora' },
      { method: 'ia3' },
      { method: 'prefix-tuning' },
      { method: 'adapter' },
    ],
    protocol: { seeds: [42], epochs: 3, trainSubset: 5000 },
  },
  /** The two trivial floors: seconds, for smoke tests of a stack. */
  floors: {
    name: 'floors: random and majority on Banking77',
    dataset: 'banking77',
    arms: [{ method: 'random' }, { method: 'majority' }],
  },
} as const satisfies Record<string, Record<string, unknown>>

export type CliPresetName = keyof typeof CLI_PRESETS

/** The request body for a preset name: the CLI's own, else the server's preset of that name. */
export function presetBody(name: string): Record<string, unknown> {
  return Object.hasOwn(CLI_PRESETS, name) ? CLI_PRESETS[name as CliPresetName] : { preset: name }
}
