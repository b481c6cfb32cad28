/**
 * The `analyze` job: the LoRA analysis of a finished run, stored as the run's
 * artifact `analysis/lora-analysis.json`.
 * (a) rank importance: each adapted layer's singular value spectrum of ΔW, its
 *     energy in the top-k directions and its effective rank;
 * (b) module selection: validation accuracy of the benchmark's LoRA runs grouped by
 *     target modules (the `lora-modules` preset trains one per set), and per-block
 *     ablation of this run (each encoder block's update zeroed in turn);
 * (c) the rank curve: accuracy and trainable parameters against r over the
 *     benchmark's LoRA runs (the `lora-rank` preset).
 */
import { listRunsOfBenchmark, LORA_ANALYSIS_ARTIFACT, LORA_MODULE_SETS, type RunConfigOf, type RunFigures, type RunHandler, type RunOf, type RunRow } from '@bankbench/core'
import { ablateLoraBlocks, initBackend, loadIntentClassifier, loraLayerSpectra, loraScaling, type AdapterFiles } from '@bankbench/engine'
import { resolveBaseModel, verifiedRunArtifacts } from '@bankbench/model-store'

interface SavedClassifierInfo { baseModel: string; labels: string[]; maxLength: number }

export const runAnalyze: RunHandler<'analyze'> = async (context) => {
  const { run, store, dataset } = context
  // The files the run's current attempt recorded (keys are per attempt), each checked against its recorded sha256.
  const recorded = await verifiedRunArtifacts(context.db, store, run.id)
  const read = async (name: string) => {
    const bytes = await recorded.read(name)
    if (!bytes) throw new Error(`run ${run.id} recorded no artifact '${name}'`)
    return bytes
  }
  const adapter: AdapterFiles = {
    'adapter_config.json': JSON.parse(new TextDecoder().decode(await read('adapter/adapter_config.json'))) as Record<string, unknown>,
    'adapter_model.safetensors': await read('adapter/adapter_model.safetensors'),
  }
  const info = JSON.parse(new TextDecoder().decode(await read('classifier.json'))) as SavedClassifierInfo

  const layers = loraLayerSpectra(adapter)
  context.log(`spectra of ${layers.length} LoRA layers; ablating each encoder block on ${dataset.validation.length} validation examples`)

  const backend = await initBackend()
  // The exact base the LoRA run trained on, as its classifier.json records it.
  const base = await resolveBaseModel(store, info.baseModel, context.db)
  const classifier = loadIntentClassifier(base.checkpoint, adapter, { labels: info.labels, maxLength: info.maxLength })
  let ablation
  try {
    ablation = ablateLoraBlocks(classifier, dataset.validation)
  } finally {
    classifier.dispose()
  }

  const loraRuns = (await listRunsOfBenchmark(context.db, run.benchmarkId)).filter(isLoraRun).filter((candidate) => candidate.status === 'succeeded')
  const analysis = {
    runId: run.id,
    benchmarkId: run.benchmarkId,
    method: run.method,
    generatedAt: new Date().toISOString(),
    backend: backend.name,
    rankImportance: { r: adapter['adapter_config.json'].r, scaling: loraScaling(adapter['adapter_config.json']), layers },
    moduleSelection: { byTargetModules: groupRuns(loraRuns, moduleSetName), blockAblation: ablation },
    rankCurve: rankCurve(loraRuns),
  }
  await context.saveArtifact(LORA_ANALYSIS_ARTIFACT, `${JSON.stringify(analysis, null, 2)}\n`)
  return { layers: layers.length, validationAccuracy: ablation.accuracy }
}

/** Mean figures of a group of runs; null where no run of the group measured it. */
export interface RunGroup {
  name: string
  runIds: string[]
  validationAccuracy: number | null
  accuracy: number | null
  trainableParameters: number | null
}

/** A succeeded run of the lora method: its config is LoRA's. */
type LoraRun = RunOf<RunConfigOf<'lora'>>

function isLoraRun(run: RunRow): run is LoraRun {
  return run.config.method === 'lora'
}

/** The module set a run's target_modules is (a LORA_MODULE_SETS name), else its JSON; PEFT's q/v default when unset. */
export function moduleSetName(run: LoraRun): string {
  const targets = run.config.hyperparameters.target_modules
  if (targets === undefined) return 'q+v'
  const key = (value: unknown) => JSON.stringify(Array.isArray(value) ? [...value].sort() : value)
  return Object.entries(LORA_MODULE_SETS).find(([, set]) => key(set) === key(targets))?.[0] ?? key(targets)
}

/** Accuracy and trainable parameters against r, r ascending, with the r of best mean validation accuracy. */
export function rankCurve(runs: LoraRun[]) {
  const points = groupRuns(runs, (run) => String(run.config.hyperparameters.r ?? 8))
    .map(({ name, ...group }) => ({ r: Number(name), ...group }))
    .sort((a, b) => a.r - b.r)
  const measured = points.filter((point) => point.validationAccuracy !== null)
  const best = measured.reduce<(typeof points)[number] | null>((top, point) => (top === null || point.validationAccuracy! > top.validationAccuracy! ? point : top), null)
  return { points, bestRank: best?.r ?? null }
}

export function groupRuns<Run extends Pick<RunRow, 'id' | 'summary'>>(runs: Run[], nameOf: (run: Run) => string): RunGroup[] {
  const groups = new Map<string, Run[]>()
  for (const run of runs) groups.set(nameOf(run), [...(groups.get(nameOf(run)) ?? []), run])
  return [...groups].map(([name, members]) => ({
    name,
    runIds: members.map((member) => member.id),
    validationAccuracy: meanOf(members, (summary) => summary.validationAccuracy),
    accuracy: meanOf(members, (summary) => summary.accuracy),
    trainableParameters: meanOf(members, (summary) => summary.trainableParameters),
  }))
}

function meanOf(runs: readonly Pick<RunRow, 'summary'>[], figure: (summary: RunFigures) => number | null | undefined): number | null {
  const values = runs.map((run) => (run.summary ? figure(run.summary) : undefined)).filter((value): value is number => typeof value === 'number')
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length
}
