/**
 * The benchmark `npm run demo` submits: the baselines and the PEFT methods at
 * settings that finish in minutes on a 2-core laptop.
 */
export const DEMO_BENCHMARK = {
  name: 'demo: baselines on Banking77',
  dataset: 'banking77',
  arms: [
    { method: 'random' },
    { method: 'majority' },
    { method: 'tfidf-logreg' },
  ],
  protocol: { seeds: [42], epochs: 3 },
}
