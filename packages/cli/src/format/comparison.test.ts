import { describe, expect, it } from 'vitest'
import { buildComparison, type AnalysisRun } from '@bankbench/core'
import { formatMethodsTable, formatRunsTable } from './comparison'

function run(ordinal: number, method: string, summary: Record<string, unknown>): AnalysisRun {
  return { id: `run_${ordinal}`, ordinal, method, config: { hyperparameters: {} }, seed: 42, status: 'succeeded', summary, startedAt: null, finishedAt: null }
}

const BENCHMARK = { id: 'bm_cli', name: 'cli', status: 'succeeded' as const }

describe('the terminal comparison tables', () => {
  it('add entity F1 and multi-label intent micro-F1 columns for slot-filling runs and print n/a where a figure does not apply', () => {
    const comparison = buildComparison(BENCHMARK, [
      run(0, 'slots-rules', { entityMicroF1: 0.715, entityMacroF1: 0.559, latencyP50Ms: 0.07, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy', 'trainableParameters', 'intentMicroF1'] }),
      run(1, 'lora', { accuracy: 0.9, macroF1: 0.89, validationAccuracy: 0.9, latencyP50Ms: 5, trainableParameters: 1000 }),
      run(2, 'slots-full', { entityMicroF1: 0.354, entityMacroF1: 0.282, intentMicroF1: 0.802, latencyP50Ms: 2, trainableParameters: 1000, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy'] }),
    ])
    const [header, , rules, lora, full] = formatRunsTable(comparison).split('\n')
    expect(header).toMatch(/accuracy\s+macro-F1\s+entity F1 micro\/macro\s+intent µF1 \(multi-label\)\s+p50/)
    expect(rules).toMatch(/^slots-rules\s+default\s+42\s+succeeded\s+n\/a\s+n\/a\s+71\.50% \/ 55\.90%\s+n\/a\s+0\.07 ms/)
    expect(lora).toMatch(/^lora\s+default\s+42\s+succeeded\s+90\.00%\s+89\.00%\s+n\/a\s+n\/a\s+5\.00 ms/)
    expect(full).toMatch(/^slots-full\s+default\s+42\s+succeeded\s+n\/a\s+n\/a\s+35\.40% \/ 28\.20%\s+80\.20%\s+2\.00 ms/)
    expect(formatMethodsTable(comparison).split('\n')[2]).toMatch(/^slots-rules\s+default\s+1\s+n\/a\s+n\/a\s+71\.50%\s+n\/a/)
  })

  it('keep the intent tables as they were when no run fills slots', () => {
    const comparison = buildComparison(BENCHMARK, [run(0, 'majority', { accuracy: 0.013, macroF1: 0.001, latencyP50Ms: 0.01 })])
    const [header, , majority] = formatRunsTable(comparison).split('\n')
    expect(header).not.toContain('entity')
    // majority trains no parameters: not applicable, not unmeasured.
    expect(majority).toMatch(/^majority\s+default\s+42\s+succeeded\s+1\.30%\s+0\.10%\s+0\.01 ms\s+—\s+—\s+n\/a\s+n\/a/)
  })

  it('add generation columns for generate runs, n/a on runs that generate nothing', () => {
    const comparison = buildComparison(BENCHMARK, [
      run(0, 'generate-full', { exactMatch: 0.5, bleu: 55.5, rougeL: 0.71, perplexity: 2.3456, latencyPerTokenMs: 1.5, tokensPerSecond: 900, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy', 'latencyP50Ms'] }),
      run(1, 'lora', { accuracy: 0.9, macroF1: 0.89, validationAccuracy: 0.9, latencyP50Ms: 5, trainableParameters: 1000 }),
    ])
    const [header, , generator, lora] = formatRunsTable(comparison).split('\n')
    expect(header).toMatch(/macro-F1\s+exact match\s+BLEU\s+ROUGE-L\s+perplexity\s+ms\/token\s+p50/)
    expect(generator).toMatch(/^generate-full\s+default\s+42\s+succeeded\s+n\/a\s+n\/a\s+50\.00%\s+55\.5\s+71\.00%\s+2\.35\s+1\.50 ms\s+n\/a/)
    expect(lora).toMatch(/^lora\s+default\s+42\s+succeeded\s+90\.00%\s+89\.00%(\s+n\/a){5}\s+5\.00 ms/)
    expect(formatMethodsTable(comparison).split('\n')[0]).toMatch(/exact match\s+BLEU/)
  })

  it('say why a skipped run has no figures (a remote vector store whose endpoint is unset), where the run\'s result records it', () => {
    const runs = [
      run(0, 'majority', { accuracy: 0.013, macroF1: 0.001, latencyP50Ms: 0.01 }),
      run(1, 'vector-bench', { skipped: 'milvus: MILVUS_URI is not set (the Milvus server\'s address)' }),
    ]
    const comparison = buildComparison(BENCHMARK, runs)
    const [header, , majority, milvus] = formatRunsTable(comparison, runs).split('\n')
    expect(milvus).toMatch(/^vector-bench\s+default\s+42\s+succeeded\s+skipped: milvus: MILVUS_URI is not set \(the Milvus server's address\)$/)
    expect(milvus!.indexOf('skipped:')).toBe(header!.indexOf('accuracy'))
    // Without the runs' results the skipped run keeps its unmeasured figures; the note widens no column: the other rows are laid out alike.
    const [, , majorityAlone, unmeasured] = formatRunsTable(comparison).split('\n')
    expect(unmeasured).toMatch(/^vector-bench\s+default\s+42\s+succeeded\s+—\s+—/)
    expect(majority).toBe(majorityAlone)
  })

  it('add relevance and security /10 columns for runs the banking rubric scored, n/a where it does not apply', () => {
    const comparison = buildComparison(BENCHMARK, [
      run(0, 'tfidf-logreg', { accuracy: 0.9, macroF1: 0.89, validationAccuracy: 0.9, latencyP50Ms: 0.1, relevanceScore: 9.234, securityScore: 7.5 }),
      run(1, 'llm-api', { accuracy: 0.8, macroF1: 0.7, latencyP50Ms: 300, notApplicable: ['relevanceScore', 'securityScore'] }),
      run(2, 'slots-rules', { entityMicroF1: 0.7, entityMacroF1: 0.5, latencyP50Ms: 0.07, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy'] }),
    ])
    const [header, , tfidf, llm, slots] = formatRunsTable(comparison).split('\n')
    expect(header).toMatch(/relevance \/10\s+security \/10\s+p50/)
    expect(tfidf).toMatch(/\s9\.2\s+7\.5\s+0\.10 ms/)
    expect(llm).toMatch(/\sn\/a\s+n\/a\s+300\.0 ms/)
    expect(slots).toMatch(/\sn\/a\s+n\/a\s+0\.07 ms/)
    expect(formatMethodsTable(comparison).split('\n')[0]).toMatch(/relevance \/10\s+security \/10/)
  })
})
