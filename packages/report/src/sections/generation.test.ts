import { buildComparison, parseRunConfig, type GenerativeRunSummary, type RunRow } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { generationSection } from './generation'
import { resultsSection } from './results'

/** A finished generate run with the given exact match and BLEU. */
function generativeRun(ordinal: number, method: 'generate-lora' | 'generate-full', exactMatch: number, bleu: number, target = 'message → intent name'): RunRow {
  const summary: GenerativeRunSummary = {
    task: 'generation', target, exactMatch, bleu, rouge1: 0.6, rouge2: 0.4, rougeL: 0.59, perplexity: 3.21,
    semanticSimilarity: 0.812, semanticSimilarityEncoder: 'bankbench-mini@abc, mean pooling',
    tokenLatency: { count: 90, meanMs: 2, p50Ms: 1.5, p95Ms: 4, p99Ms: 5, maxMs: 6 }, latencyPerTokenMs: 1.5, latencyP50Ms: null, latencyP95Ms: null,
    prefillMsMean: 12, tokensPerSecond: 950, throughputPerSecond: 300, generationBatchSize: 32, numBeams: 1, adapterMerged: method === 'generate-lora', generatedTokens: 2000, testExamples: 500,
    samples: [{ prompt: 'where is my card', reference: 'card arrival', generated: 'card arrival' }],
    validationExactMatch: exactMatch, decoder: { vocabSize: 1000, hiddenSize: 64, layers: 2, parameters: 138_048, pretrainEpochs: 3, pretrainSeconds: 20, pretrainFinalLoss: 3.1 },
    trainSeconds: 90, trainExamples: 3000, epochsCompleted: 4, bestEpoch: 4, trainableParameters: method === 'generate-lora' ? 32_768 : 138_048, totalParameters: 170_816,
    trainableRatio: 0.19, peakRssBytes: 2 ** 28, peakTensorBytes: 2 ** 22, peakGpuMemoryBytes: null, backend: 'wasm',
    notApplicable: ['accuracy', 'macroF1', 'validationAccuracy', 'latencyP50Ms', 'latencyP95Ms', 'adapterBytes', 'peakGpuMemoryBytes'],
  }
  const base = sampleReportData().runs[0]!
  return {
    ...base, id: `run_gen${ordinal}`, ordinal: 100 + ordinal, method, seed: 42, summary,
    config: parseRunConfig({ method, hyperparameters: {}, seed: 42, epochs: 4, trainSubset: 3000, testSet: 'sample500', arm: ordinal }),
  }
}

describe('the generation section', () => {
  it('is absent from a benchmark without generate runs', () => {
    expect(generationSection(sampleReportData())).toBeNull()
  })

  it('tabulates every generation metric per run, says what the tiny decoder is, and shows generated examples', () => {
    const data = sampleReportData()
    data.runs.push(generativeRun(0, 'generate-lora', 0.122, 18.3), generativeRun(1, 'generate-full', 0.5, 55.5))
    const section = generationSection(data)!
    const markup = section.body.value
    expect(section.title).toBe('Generation')
    expect(markup).toContain('trained from scratch in each run')
    expect(markup).toMatch(/<td[^>]*>generate-lora \(seed 42\)<\/td><td class="num">12.20%<\/td><td class="num">18.3<\/td><td class="num">0.600 \/ 0.400 \/ 0.590<\/td><td class="num">3.21<\/td><td class="num">0.812<\/td><td class="num">1.50 ms \/ 4.00 ms<\/td><td class="num">950<\/td>/)
    expect(markup).toMatch(/<td[^>]*>where is my card<\/td><td[^>]*>card arrival<\/td><td[^>]*>card arrival<\/td>/)
  })

  it('names a reply generator\'s target and says its exact match is not intent accuracy', () => {
    const data = sampleReportData()
    data.runs.push(generativeRun(0, 'generate-lora', 0.122, 18.3), generativeRun(1, 'generate-full', 0.25, 40.1, 'message → reply'))
    const markup = generationSection(data)!.body.value
    expect(markup).toContain('message → intent name and message → reply on the test split')
    expect(markup).toContain('their exact match is the share of replies written exactly, not intent accuracy')
    expect(markup).toMatch(/<td[^>]*>generate-full \(seed 42, message → reply\)<\/td><td class="num">25.00%<\/td>/)
    expect(markup).toMatch(/<td[^>]*>generate-lora \(seed 42\)<\/td>/)
  })

  it('shows exact match and BLEU for generate runs in the results, not applicable for the others', () => {
    const data = sampleReportData()
    data.runs.push(generativeRun(0, 'generate-full', 0.5, 55.5))
    data.comparison = buildComparison(data.benchmark, data.runs)
    const markup = resultsSection(data).body.value
    expect(markup).toMatch(/<td[^>]*>generate-full<\/td><td[^>]*><code>default<\/code><\/td><td class="num">42<\/td><td[^>]*><span class="status succeeded">succeeded<\/span><\/td><td class="num">not applicable<\/td><td class="num">not applicable<\/td><td class="num">not applicable<\/td><td class="num">50.00%<br><span class="sd">BLEU 55.5<\/span><\/td>/)
  })
})
