/**
 * The `generate` job: generation on the benchmark's intent data, "message → intent name"
 * (underscores as spaces: `card_arrival` → "card arrival"), or with the arm's `target: 'reply'`
 * "message → reply", the bank's reply an uploaded dataset carries (its `reply` column). No pretrained decoder can be
 * downloaded here, so the decoder is a small Llama trained from scratch in the run
 * (engine's fineTuneGenerator: WordPiece vocabulary on the training text, language-model
 * pretraining on the messages and the distinct intent names, unpaired), then fine-tuned
 * with the arm's method (`generate-lora`: LoRA; `generate-full`: every parameter), the
 * epoch kept by validation exact match (by validation loss for replies). On the test split: greedy decoding (beam search
 * with the arm's num_beams > 1) with the key/value cache, then exact match (= intent accuracy of the generated names; for replies, the share of replies written exactly), corpus
 * BLEU, ROUGE-1/2/L, perplexity of the references, semantic similarity (the
 * benchmark's base encoder, mean pooling), latency per generated token and tokens/s.
 * The banking rubric (relevance and security, rubric.ts) is scored through what serving
 * deploys for an intent run (generatorPredictor: the label whose name the decoder writes, else
 * out_of_scope), after LoRA's merge as in a deployment; a reply generator is no intent
 * classifier (serving refuses to deploy it), so the rubric does not apply to it.
 */
import { getBenchmark, GENERATOR_FIELD_NAMES, seededShuffle, type Example, type GenerateTarget, type GenerativeRunSummary, type RunHandler } from '@bankbench/core'
import { fineTuneGenerator, initBackend, mergeLora, normalizeGenerated, optimizerOptions, saveGenerator, SentenceEncoder, trainSettings, type TextPair } from '@bankbench/engine'
import { corpusBleu, corpusRouge, exactMatch, latencySummary, PeakMemoryTracker, perplexity, semanticSimilarity } from '@bankbench/metrics'
import { benchmarkBaseModel, generatorArtifacts, resolveBaseModel } from '@bankbench/model-store'
import { generatorPredictor } from '@bankbench/serving'
import { gpuMemoryFigures } from './gpu-memory'
import { bankingRubricOfPredictor } from './rubric'
import { progressReporter } from './training-progress'

/** Intent figures: a generator writes names, scored by exact match instead. */
const INTENT_FIGURES = ['accuracy', 'macroF1', 'validationAccuracy']

/** The engine method each generate method trains with. */
const ENGINE_METHOD = { 'generate-lora': 'lora', 'generate-full': 'full' } as const

/** Prompts per generate call. */
const GENERATION_BATCH = 32

/** Validation rows decoded after each epoch to pick the best (all of them would cost more than the epoch). */
const VALIDATION_ROWS = 200

/** An intent label as the text to generate. */
export function intentText(label: string): string {
  return label.replace(/_/g, ' ')
}

/** What the decoder writes for each target, in words (the summary's `target`). */
const TARGET_WORDS: Record<GenerateTarget, string> = { intent: 'message → intent name', reply: 'message → reply' }

/** Why the banking rubric does not apply to a reply generator. */
const REPLY_RUBRIC_REASON = 'a generator trained on the bank\'s replies (target \'reply\') writes a reply, not an intent name: it is no intent classifier, so it has no reply policy to score and cannot be deployed'

/** A row as the pair the decoder learns: the message, and its intent name or its reply. */
function pairOf(target: GenerateTarget): (example: Example) => TextPair {
  return (example) => {
    if (target === 'intent') return { prompt: example.text, target: intentText(example.label) }
    // Refused at submission for a dataset without replies; a row without one here is a broken dataset.
    if (example.reply === undefined) throw new Error('target \'reply\' needs the bank\'s reply on every row, and this dataset has a row without one')
    return { prompt: example.text, target: example.reply }
  }
}

export const runGenerate: RunHandler<'generate'> = async (context) => {
  const { run, dataset } = context
  const { config } = run
  const method = ENGINE_METHOD[config.method]
  const { target: targetField, ...hyperparameters } = config.hyperparameters
  const target: GenerateTarget = targetField === 'reply' ? 'reply' : 'intent'
  const decoderFields = Object.fromEntries(Object.entries(hyperparameters).filter(([field]) => GENERATOR_FIELD_NAMES.includes(field)))
  const trainerFields = Object.fromEntries(Object.entries(hyperparameters).filter(([field]) => !GENERATOR_FIELD_NAMES.includes(field)))
  const settings = trainSettings(method, trainerFields)
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const memory = new PeakMemoryTracker()
  const train = (config.trainSubset ? seededShuffle(dataset.train, run.seed).slice(0, config.trainSubset) : dataset.train).map(pairOf(target))
  const validation = seededShuffle(dataset.validation, run.seed).slice(0, VALIDATION_ROWS).map(pairOf(target))
  const test = dataset.test.map(pairOf(target))
  context.log(`${config.method} (${method}): ${TARGET_WORDS[target]}, ${train.length} training pairs, ${config.epochs} epochs, batch ${settings.batchSize}, ` +
    `learning rate ${settings.learningRate}, backend ${backend.name}`)

  const tuned = await fineTuneGenerator({
    train,
    validation,
    // A reply's exact match may stay 0 epoch after epoch (the first would be kept): replies keep the epoch of lowest validation loss.
    metricForBest: target === 'reply' ? 'loss' : 'exactMatch',
    method,
    peftConfig: settings.peftConfig,
    settings: { max_length: settings.maxLength, ...decoderFields },
    epochs: config.epochs,
    ...optimizerOptions(settings),
    seed: run.seed,
    signal: context.signal,
    log: (message) => context.log(message),
    ...progressReporter(context),
  })
  const { generator, result, pretrainResult, parameterCounts, decoderParameters } = tuned
  try {
    if (result.status === 'cancelled') context.signal.throwIfAborted()
    // What serving rebuilds the generator from (model-store's loadRunGenerator): the decoder and its tokenizer, LoRA's adapter
    // apart (saved before the merge below), the decoding settings and the text written for each label.
    const labels = context.dataset.labels
    const files = await generatorArtifacts(saveGenerator(generator, tuned.applied), { method: config.method, labels, labelTexts: labels.map(intentText), target })
    for (const [name, body] of files) await context.saveArtifact(name, body)

    // As a deployment would: LoRA's B·A folded into the weights, so decoding costs what the base model's does (same tokens; causal-lm.test.ts).
    const adapterMerged = method === 'lora'
    if (adapterMerged) mergeLora(generator.model)
    const prompts = test.map((pair) => pair.prompt)
    const references = test.map((pair) => pair.target)
    const generated = generator.generate(prompts, { batchSize: GENERATION_BATCH })
    const hypotheses = generated.texts.map(normalizeGenerated)
    const totalMs = generated.batchMs.reduce((sum, value) => sum + value, 0)
    const generatedTokens = generated.tokenCounts.reduce((sum, value) => sum + value, 0)
    const rouge = corpusRouge(references, hypotheses)
    const bleu = corpusBleu(hypotheses, [references])
    const ppl = perplexity(generator.targetLogLikelihoods(test))
    const similarity = await semanticScore(context, hypotheses, references)
    const perToken = generated.stepMs.length > 0 ? latencySummary(generated.stepMs) : null
    // exactMatch is in percent; summaries keep shares (0-1) as accuracy does.
    const em = exactMatch(hypotheses, references.map(normalizeGenerated)) / 100
    context.log(`test exact match ${(em * 100).toFixed(1)}%, BLEU ${bleu.score.toFixed(1)}, ROUGE-L ${rouge.rougeL.f1.toFixed(3)}, perplexity ${ppl.perplexity.toFixed(2)}, ` +
      `${perToken ? perToken.p50Ms.toFixed(2) : '—'} ms/token (batch ${GENERATION_BATCH}), ${(generatedTokens / (totalMs / 1000)).toFixed(0)} tokens/s`)
    const rubric = target === 'reply'
      ? { rubric: { notApplicable: REPLY_RUBRIC_REASON } }
      : await bankingRubricOfPredictor({
        predictor: generatorPredictor({ generator, manifest: { labels, labelTexts: labels.map(intentText) } }),
        dataset, seed: run.seed, log: (message) => context.log(message), signal: context.signal,
      })
    const best = result.best ? result.history[result.best.epoch]?.validation : undefined
    const gpu = gpuMemoryFigures(result.peakMemory, backend)
    const { config: decoder } = generator.model
    const summary: GenerativeRunSummary = {
      task: 'generation',
      target: TARGET_WORDS[target],
      exactMatch: em,
      bleu: bleu.score,
      rouge1: rouge.rouge1.f1,
      rouge2: rouge.rouge2.f1,
      rougeL: rouge.rougeL.f1,
      perplexity: ppl.perplexity,
      semanticSimilarity: similarity?.meanCosine ?? null,
      semanticSimilarityEncoder: similarity?.encoder ?? null,
      tokenLatency: perToken,
      latencyPerTokenMs: perToken?.p50Ms ?? null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      prefillMsMean: generated.prefillMs.length === 0 ? 0 : generated.prefillMs.reduce((sum, value) => sum + value, 0) / generated.prefillMs.length,
      tokensPerSecond: generatedTokens / (totalMs / 1000),
      throughputPerSecond: test.length / (totalMs / 1000),
      generationBatchSize: GENERATION_BATCH,
      numBeams: generator.numBeams,
      adapterMerged,
      generatedTokens,
      testExamples: test.length,
      samples: test.slice(0, 5).map((pair, i) => ({ prompt: pair.prompt, reference: pair.target, generated: hypotheses[i]! })),
      validationExactMatch: best?.exactMatch ?? null,
      decoder: {
        vocabSize: decoder.vocabSize, hiddenSize: decoder.hiddenSize, layers: decoder.numHiddenLayers, parameters: decoderParameters,
        pretrainEpochs: pretrainResult?.epochsCompleted ?? 0, pretrainSeconds: (pretrainResult?.elapsedMs ?? 0) / 1000,
        pretrainFinalLoss: pretrainResult?.history.at(-1)?.trainLoss ?? null,
      },
      trainSeconds: (result.elapsedMs + (pretrainResult?.elapsedMs ?? 0)) / 1000,
      trainExamples: train.length,
      epochsCompleted: result.epochsCompleted,
      bestEpoch: result.best ? result.best.epoch + 1 : null,
      trainableParameters: parameterCounts.trainable,
      totalParameters: parameterCounts.total,
      trainableRatio: parameterCounts.ratio,
      peakRssBytes: Math.max(result.peakMemory.rssBytes, memory.stop()),
      peakTensorBytes: result.peakMemory.tensorBytes,
      peakGpuMemoryBytes: gpu.peakGpuMemoryBytes,
      ...(gpu.peakGpuMemoryAttribution && { peakGpuMemoryAttribution: gpu.peakGpuMemoryAttribution }),
      backend: backend.name,
      ...rubric,
      // Per-query latency at batch 1 is the classifiers' figure; a generator reports per-token latency instead.
      notApplicable: [...INTENT_FIGURES, 'latencyP50Ms', 'latencyP95Ms', 'adapterBytes', ...(target === 'reply' ? ['relevanceScore', 'securityScore'] : []), ...gpu.notApplicable],
    }
    return summary
  } finally {
    generator.dispose()
  }
}

/** Cosine of the benchmark base encoder's mean-pooled embeddings; null (and logged) when the encoder cannot be loaded. */
async function semanticScore(context: Parameters<typeof runGenerate>[0], hypotheses: string[], references: string[]): Promise<{ meanCosine: number; encoder: string } | null> {
  try {
    const base = await resolveBaseModel(context.store, await benchmarkBaseModel(context.db, await getBenchmark(context.db, context.run.benchmarkId)), context.db)
    const encoder = SentenceEncoder.fromCheckpoint(base.checkpoint, { maxLength: 32, batchSize: 64 })
    try {
      const result = await semanticSimilarity(hypotheses, references, (texts) => encoder.embed(texts))
      return { meanCosine: result.meanCosine, encoder: `${base.nameOrPath}, mean pooling` }
    } finally {
      encoder.dispose()
    }
  } catch (error) {
    context.log(`semantic similarity not measured: ${(error as Error).message}`)
    return null
  }
}
