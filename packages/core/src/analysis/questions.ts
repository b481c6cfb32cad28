import { seedStat } from './stats'
import { bytes, percent, seconds, times } from './format'
import type { Comparison, ComparisonRow, Constraints, ConstraintVerdict, MethodBestRow, StudyAnswer } from './types'

/** PEFT's LoraConfig default rank: what a LoRA run without `r` trained with. */
const PEFT_DEFAULT_LORA_RANK = 8

/**
 * Which LoRA rank is best: among succeeded `lora` runs, each rank's best
 * configuration (by mean validation accuracy over seeds) is compared; ties go to
 * the smaller rank, which trains fewer parameters.
 */
export function optimalLoraRank(comparison: Comparison): StudyAnswer {
  const question = 'What is the optimal LoRA rank?'
  const byRank = new Map<number, Map<string, ComparisonRow[]>>()
  for (const row of comparison.runs) {
    if (row.method !== 'lora' || row.status !== 'succeeded') continue
    const rank = typeof row.hyperparameters.r === 'number' ? row.hyperparameters.r : PEFT_DEFAULT_LORA_RANK
    const configs = byRank.get(rank) ?? new Map<string, ComparisonRow[]>()
    configs.set(row.configLabel, [...(configs.get(row.configLabel) ?? []), row])
    byRank.set(rank, configs)
  }
  const ranks = [...byRank].map(([r, configs]) => {
    const best = [...configs].map(([label, members]) => ({
      label,
      validation: seedStat(members.map((member) => member.validationAccuracy)),
      test: seedStat(members.map((member) => member.accuracy)),
      runs: members.length,
    })).sort((a, b) => (b.validation?.mean ?? -1) - (a.validation?.mean ?? -1))[0]!
    return { r, configLabel: best.label, validationAccuracy: best.validation?.mean ?? null, accuracy: best.test?.mean ?? null, runs: best.runs }
  }).sort((a, b) => a.r - b.r)
  if (ranks.length < 2) {
    return {
      question,
      enoughData: false,
      answer: `Not enough data: succeeded LoRA runs cover ${ranks.length === 0 ? 'no rank' : `only r=${ranks[0]!.r}`}; sweep at least two ranks (e.g. grid r: [4, 8, 16]).`,
      data: { ranks },
    }
  }
  const best = ranks.reduce((winner, candidate) => ((candidate.validationAccuracy ?? -1) > (winner.validationAccuracy ?? -1) ? candidate : winner))
  const others = ranks.filter((rank) => rank !== best).map((rank) => `r=${rank.r}: ${describeAccuracy(rank.validationAccuracy)}`)
  return {
    question,
    enoughData: true,
    answer: `r=${best.r} is best with ${describeAccuracy(best.validationAccuracy)} validation accuracy (test ${describeAccuracy(best.accuracy)}, ${best.configLabel}); ${others.join(', ')}.`,
    data: { bestRank: best.r, ranks, note: `Each rank's best configuration by mean validation accuracy; runs without r used PEFT's default r=${PEFT_DEFAULT_LORA_RANK}.` },
  }
}

/**
 * Whether QLoRA's extra training time buys anything: its best configuration against
 * LoRA's, on test accuracy, training time and peak memory. QLoRA is worth it when
 * it is what brings training within the memory constraint. Memory is each process's
 * GPU memory when both were measured on a GPU, else the process's peak RSS (the same
 * measurement for both, and said so: the limit is the GPU-memory criterion's).
 */
export function qloraWorthIt(comparison: Comparison, constraints: Constraints): StudyAnswer {
  const question = 'Is QLoRA worth its extra training time?'
  const lora = comparison.methods.find((row) => row.method === 'lora')
  const qlora = comparison.methods.find((row) => row.method === 'qlora')
  const onGpu = lora?.peakGpuMemoryBytes != null && qlora?.peakGpuMemoryBytes != null
  const figures = (row: MethodBestRow | undefined) => row && {
    configLabel: row.configLabel, accuracy: row.accuracy?.mean ?? null, trainSeconds: row.trainSeconds?.mean ?? null,
    peakMemoryBytes: (onGpu ? row.peakGpuMemoryBytes : row.peakMemoryBytes)?.mean ?? null, memorySource: onGpu ? 'gpu' as const : row.memorySource,
  }
  const l = figures(lora)
  const q = figures(qlora)
  if (!l || !q || l.accuracy === null || q.accuracy === null || l.trainSeconds === null || q.trainSeconds === null || l.peakMemoryBytes === null || q.peakMemoryBytes === null) {
    return { question, enoughData: false, answer: 'Not enough data: it needs succeeded lora and qlora runs with accuracy, training time and peak memory measured.', data: { lora: l ?? null, qlora: q ?? null } }
  }
  const deltas = {
    accuracyPoints: (q.accuracy - l.accuracy) * 100,
    trainSecondsRatio: q.trainSeconds / l.trainSeconds,
    memoryRatio: q.peakMemoryBytes / l.peakMemoryBytes,
  }
  const limit = constraints.maxGpuMemoryBytes
  const loraFits = l.peakMemoryBytes <= limit
  const qloraFits = q.peakMemoryBytes <= limit
  const tradeOff = `QLoRA ${deltas.accuracyPoints >= 0 ? 'gains' : 'loses'} ${Math.abs(deltas.accuracyPoints).toFixed(2)} accuracy points, ` +
    `takes ${times(deltas.trainSecondsRatio)} LoRA's training time (${seconds(q.trainSeconds)} vs ${seconds(l.trainSeconds)}) ` +
    `and ${times(deltas.memoryRatio)} its peak memory (${bytes(q.peakMemoryBytes)} vs ${bytes(l.peakMemoryBytes)})`
  let verdict: string
  if (!loraFits && qloraFits) verdict = `Yes: only QLoRA fits the ${bytes(limit)} memory limit.`
  else if (loraFits && qloraFits) verdict = `No: LoRA already fits the ${bytes(limit)} memory limit, so QLoRA's memory saving is not needed.`
  else if (!loraFits && !qloraFits) verdict = `No: neither fits the ${bytes(limit)} memory limit.`
  else verdict = `No: QLoRA does not fit the ${bytes(limit)} memory limit and LoRA does.`
  const sources = l.memorySource !== q.memorySource ? ` (memory measured differently: ${l.memorySource} vs ${q.memorySource})`
    : onGpu ? ' (GPU memory of each run\'s process)' : ' (peak process RSS: no GPU memory was measured for both)'
  return { question, enoughData: true, answer: `${verdict} ${tradeOff}${sources}.`, data: { lora: l, qlora: q, deltas, memoryLimitBytes: limit, worthIt: !loraFits && qloraFits } }
}

/** The method with the highest mean validation accuracy, whatever the constraints, and whether it meets them. */
export function bestOverall(comparison: Comparison, methodVerdicts: readonly ConstraintVerdict[]): StudyAnswer {
  const question = 'Which method is best overall?'
  const ranked = rankByValidation(comparison.methods)
  const best = ranked[0]
  if (!best) return { question, enoughData: false, answer: 'Not enough data: no run has succeeded yet.', data: {} }
  const verdict = methodVerdicts.find((item) => item.method === best.method)
  const failed = verdict?.checks.filter((item) => item.state === 'failed' || item.state === 'unmeasured').map((item) => item.detail) ?? []
  const constraintsText = failed.length === 0 ? 'it meets every constraint' : `it does not meet every constraint: ${failed.join('; ')}`
  return {
    question,
    enoughData: true,
    answer: `${best.method} (${best.configLabel}) has the highest validation accuracy, ${describeAccuracy(best.validationAccuracy?.mean ?? null)} (test ${describeAccuracy(best.accuracy?.mean ?? null)}); ${constraintsText}.`,
    data: { method: best.method, configLabel: best.configLabel, validationAccuracy: best.validationAccuracy, accuracy: best.accuracy, ranking: ranked.map((row) => ({ method: row.method, validationAccuracy: row.validationAccuracy?.mean ?? null })) },
  }
}

/** Methods by mean validation accuracy, best first; unmeasured last; ties keep plan order. */
export function rankByValidation(methods: readonly MethodBestRow[]): MethodBestRow[] {
  return [...methods].sort((a, b) => (b.validationAccuracy?.mean ?? -1) - (a.validationAccuracy?.mean ?? -1))
}


function describeAccuracy(value: number | null): string {
  return value === null ? 'unmeasured' : percent(value)
}
