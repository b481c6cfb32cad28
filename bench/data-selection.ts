/**
 * Data selection on Banking77: how many labels each query strategy needs to reach 95%
 * of the full-data accuracy, beside random. The select job's simulation, in-process, on
 * the platform's Banking77 split (pool: the 9,503 training rows; test: the official
 * 3,080), with the `selection` preset's settings:
 *   npx tsx bench/data-selection.ts [--strategies random,margin,core-set:cosine] [--seeds 1,2,3] [--budget 5000] [--rounds 14] [--out results.json]
 *   npx tsx bench/data-selection.ts --from a.json,b.json       # the table from saved results (e.g. two processes' halves)
 * A strategy with options is written name:value (core-set:cosine, greedy:0.9). Prints, per
 * strategy, labels to 95% of full-data accuracy and to 88% (mean ± std over seeds, and how
 * many seeds reached it within the budget), area under the learning curve and selection time.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { dataSelectionStudy, formatSelectionSavingsTable, formatSelectionTable, type SelectionRunSummary } from '@bankbench/core'
import { loadBanking77 } from '@bankbench/data'
import {
  areaUnderCurve, fullDataScores, labelSchedule, labelsToReach, selectionStrategy, simulateSelection, stratifiedSeedSet, tfidfFeatures,
} from '@bankbench/selection'
import { SELECTION_DEFAULTS, STUDY_ACCURACY_CRITERION } from '../containers/trainer/select'

/** What the bench records per run: the select job's summary and the arm it came from. */
interface BenchRun { strategyArm: string; seed: number; hyperparameters: Record<string, unknown>; summary: SelectionRunSummary }

const ALL_ARMS = ['random', 'greedy', 'least-confidence', 'entropy', 'margin', 'bald', 'core-set', 'core-set:cosine', 'expected-gradient-length', 'diversity-max-min', 'diversity-k-means', 'badge', 'contrastive']

const { values: args } = parseArgs({
  options: {
    strategies: { type: 'string', default: ALL_ARMS.join(',') },
    seeds: { type: 'string', default: '1,2,3' },
    budget: { type: 'string', default: String(SELECTION_DEFAULTS.budget) },
    rounds: { type: 'string', default: String(SELECTION_DEFAULTS.rounds) },
    out: { type: 'string' },
    from: { type: 'string' },
  },
})

/** `core-set:cosine` → strategy core-set with metric cosine; `greedy:0.9` → threshold 0.9. */
function armOptions(arm: string): { strategy: string; options: Record<string, unknown> } {
  const [strategy, value] = arm.split(':') as [string, string | undefined]
  selectionStrategy(strategy)
  if (value === undefined) return { strategy, options: {} }
  if (strategy === 'greedy') return { strategy, options: { threshold: Number(value) } }
  return { strategy, options: { metric: value } }
}

function printTable(runs: BenchRun[]): void {
  const study = dataSelectionStudy(runs.map((run) => ({ method: 'data-selection', status: 'succeeded', seed: run.seed, hyperparameters: run.hyperparameters, summary: run.summary })))
  if (!study) return
  const savings = formatSelectionSavingsTable(study)
  console.log(`\n${formatSelectionTable(study)}\n\n${savings ? `${savings}\n\n` : ''}${study.answer.answer}`)
}

if (args.from) {
  printTable(args.from.split(',').flatMap((path) => JSON.parse(readFileSync(path, 'utf8')) as BenchRun[]))
} else {
  const { labels, train, test } = loadBanking77()
  const classOf = new Map(labels.map((label, index) => [label, index]))
  const poolTargets = Int32Array.from(train, (example) => classOf.get(example.label)!)
  const testTargets = Int32Array.from(test, (example) => classOf.get(example.label)!)
  const features = tfidfFeatures(train.map((example) => example.text), test.map((example) => example.text))
  const learner = { C: SELECTION_DEFAULTS.C, maxIterations: SELECTION_DEFAULTS.max_iterations }
  console.log(`Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; pool ${train.length}, test ${test.length}; ${features.source}`)
  const cpuStart = process.cpuUsage()
  const fullData = fullDataScores({ features, poolTargets, testTargets, classCount: labels.length, learner })
  console.log(`full data: test accuracy ${(fullData.accuracy * 100).toFixed(2)}% (fit ${fullData.trainSeconds.toFixed(1)} s); 95% of it: ${(fullData.accuracy * 95).toFixed(2)}%`)
  const runs: BenchRun[] = []
  for (const arm of args.strategies.split(',')) {
    const { strategy, options } = armOptions(arm)
    for (const seed of args.seeds.split(',').map(Number)) {
      const started = performance.now()
      const seedSet = stratifiedSeedSet(poolTargets, labels.length, SELECTION_DEFAULTS.seed_per_class, seed)
      const schedule = labelSchedule(seedSet.length, Number(args.budget), Number(args.rounds))
      const strategyOptions = { ...selectionStrategy(strategy).defaults, ...options }
      const state = await simulateSelection({
        features, poolTargets, testTargets, classCount: labels.length, strategy, strategyOptions, schedule, seedSet, seed, learner,
        dropout: { samples: SELECTION_DEFAULTS.dropout_samples, rate: SELECTION_DEFAULTS.dropout_rate },
      })
      const last = state.rounds.at(-1)!
      const summary: SelectionRunSummary = {
        strategy, strategyOptions, features: features.source, accuracy: last.accuracy, macroF1: last.macroF1, validationAccuracy: null,
        trainSeconds: state.rounds.reduce((sum, round) => sum + round.trainSeconds, 0),
        selectionSeconds: state.rounds.reduce((sum, round) => sum + round.selectionSeconds, 0),
        trainExamples: last.labels, poolSize: train.length, seedSetSize: seedSet.length, curve: state.rounds, fullData,
        areaUnderCurve: areaUnderCurve(state.rounds), labelsTo95PercentOfFull: labelsToReach(state.rounds, 0.95 * fullData.accuracy),
        labelsTo88Percent: labelsToReach(state.rounds, STUDY_ACCURACY_CRITERION), resumedAfterRound: null, peakRssBytes: process.memoryUsage().rss,
      }
      runs.push({ strategyArm: arm, seed, hyperparameters: { strategy, ...options }, summary })
      if (args.out) writeFileSync(args.out, JSON.stringify(runs))
      console.log(`${arm} seed ${seed}: ${((performance.now() - started) / 1000).toFixed(0)} s; labels to 95% ${summary.labelsTo95PercentOfFull ?? `> ${last.labels}`}; `
        + `accuracy at ${last.labels} labels ${(last.accuracy * 100).toFixed(2)}%; AULC ${(summary.areaUnderCurve * 100).toFixed(2)}`)
    }
  }
  const cpu = process.cpuUsage(cpuStart)
  console.log(`CPU time ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s`)
  printTable(runs)
}
