/**
 * The generative preset's measurement outside the job stack: the generate job's decoder
 * and fine-tuning (engine fineTuneGenerator) on Banking77 "message → intent name", the
 * preset's protocol (3,000 training rows drawn with seed 42, 4 epochs, the sample500 test
 * rows), LoRA and full fine-tuning at the preset's learning rates. Prints exact match,
 * BLEU, ROUGE, perplexity, per-token latency and tokens/s per method. Semantic similarity
 * needs the base encoder and is left to the job.
 *
 *   BANKBENCH_NATIVE_THREADS=1 npx tsx bench/generative-banking77.ts [lora|full|lora@<learning rate> ...]
 */
import { seededShuffle, withTestSet } from '@bankbench/core'
import { loadBanking77 } from '@bankbench/data'
import { fineTuneGenerator, initBackend, normalizeGenerated, trainSettings } from '@bankbench/engine'
import { corpusBleu, corpusRouge, exactMatch, latencySummary, perplexity } from '@bankbench/metrics'

const LEARNING_RATES = { lora: 1e-2, full: 3e-3 } as const
/** Arguments `lora`, `full`, or `lora@3e-2` for another learning rate. */
const arms = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['lora', 'full']).map((argument) => {
  const [method, rate] = argument.split('@') as [keyof typeof LEARNING_RATES, string | undefined]
  return { method, learningRate: rate ? Number(rate) : LEARNING_RATES[method] }
})

const backend = await initBackend()
const splits = withTestSet(loadBanking77(), 'sample500')
const pair = (example: { text: string; label: string }) => ({ prompt: example.text, target: example.label.replace(/_/g, ' ') })
const train = seededShuffle(splits.train, 42).slice(0, 3000).map(pair)
const validation = seededShuffle(splits.validation, 42).slice(0, 200).map(pair)
const test = splits.test.map(pair)
console.log(`backend ${backend.name}; ${train.length} training pairs, ${test.length} test pairs`)

for (const { method, learningRate } of arms) {
  const settings = trainSettings(method, { learning_rate: learningRate })
  const tuned = await fineTuneGenerator({
    train, validation, method, peftConfig: settings.peftConfig, settings: { max_length: settings.maxLength },
    epochs: 4, batchSize: settings.batchSize, learningRate: settings.learningRate, scheduler: settings.scheduler, warmupRatio: settings.warmupRatio, weightDecay: settings.weightDecay,
    seed: 42, log: (message) => console.log(message),
    onEpoch: (record) => { console.log(`${method} epoch ${record.epoch + 1}: train loss ${record.trainLoss.toFixed(3)}, validation exact match ${((record.validation?.exactMatch ?? 0) * 100).toFixed(1)}%`) },
  })
  const { generator } = tuned
  const generated = generator.generate(test.map((row) => row.prompt), { batchSize: 32 })
  const hypotheses = generated.texts.map(normalizeGenerated)
  const references = test.map((row) => row.target)
  const totalMs = generated.batchMs.reduce((sum, value) => sum + value, 0)
  const tokens = generated.tokenCounts.reduce((sum, value) => sum + value, 0)
  const rouge = corpusRouge(references, hypotheses)
  const perToken = latencySummary(generated.stepMs)
  console.log(JSON.stringify({
    method, learningRate, trainable: tuned.parameterCounts.trainable, total: tuned.parameterCounts.total,
    pretrainSeconds: (tuned.pretrainResult?.elapsedMs ?? 0) / 1000, fineTuneSeconds: tuned.result.elapsedMs / 1000, bestEpoch: (tuned.result.best?.epoch ?? -1) + 1,
    exactMatchPercent: exactMatch(hypotheses, references), bleu: corpusBleu(hypotheses, [references]).score,
    rouge1: rouge.rouge1.f1, rouge2: rouge.rouge2.f1, rougeL: rouge.rougeL.f1, perplexity: perplexity(generator.targetLogLikelihoods(test)).perplexity,
    msPerTokenP50: perToken.p50Ms, msPerTokenP95: perToken.p95Ms, tokensPerSecond: tokens / (totalMs / 1000),
    samples: test.slice(0, 5).map((row, i) => `${row.prompt} → ${hypotheses[i]} (${row.target})`),
  }, null, 2))
  generator.dispose()
}
