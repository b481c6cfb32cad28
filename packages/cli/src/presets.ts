/**
 * Named benchmarks the CLI submits with `--preset <name>`. A name that is not here
 * is sent as `{ "preset": name }`: the server's own presets (`GET /v1/presets`)
 * then apply, and the server says which names exist.
 */
export const CLI_PRESETS = {
  /** `npm run demo`: the baselines and the PEFT methods at settings that finish in minutes on a 2-core laptop. */
  demo: {
    name: 'demo: baselines on Banking77',
    dataset: 'banking77',
    arms: [
      { method: 'random' },
      { method: 'majority' },
      { method: 'tfidf-logreg' },
    ],
    protocol: { seeds: [42], epochs: 3 },
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
