/**
 * Generation (the `generate` runs): a small Llama causal LM trained from scratch in the run
 * and fine-tuned to write each message's intent name (or the bank's reply, an arm's target 'reply'); exact match, corpus BLEU, ROUGE,
 * perplexity of the reference, semantic similarity, per-token latency and tokens/s per run,
 * and a few generated examples. Only in reports of benchmarks that ran generation.
 */
import type { GenerativeRunSummary, RunRow } from '@bankbench/core'
import { formatCount, formatMilliseconds, formatPercent, formatSeconds, MISSING } from '../format'
import { html } from '../html/html'
import { section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

type GenerativeRun = { run: RunRow; summary: GenerativeRunSummary }

/** A generation run's summary says so (`task`). */
function isGenerativeRunSummary(summary: unknown): summary is GenerativeRunSummary {
  return typeof summary === 'object' && summary !== null && (summary as { task?: unknown }).task === 'generation'
}

/** The summary's `target` of a run that learned the bank's replies (the arm's target 'reply'). */
const REPLY_TARGET = 'message → reply'

/** The test decoding in words: greedy, or beam search with its beam count. */
function decoding(summary: GenerativeRunSummary): string {
  return summary.numBeams > 1 ? `beam search (${summary.numBeams} beams, length penalty 1)` : 'greedy decoding'
}

export function generationSection(data: ReportData): ReportSection | null {
  const runs = data.runs.flatMap((run): GenerativeRun[] => (run.status === 'succeeded' && isGenerativeRunSummary(run.summary) ? [{ run, summary: run.summary }] : []))
  if (runs.length === 0) return null
  const label = ({ run, summary }: GenerativeRun) => `${run.method} (seed ${run.seed}${summary.target === REPLY_TARGET ? `, ${REPLY_TARGET}` : ''})`
  const { decoder } = runs[0]!.summary
  const targets = [...new Set(runs.map(({ summary }) => summary.target))]
  const replies = targets.includes(REPLY_TARGET)
    ? ` Runs with the target ${REPLY_TARGET} learned the bank's replies from the dataset (its reply column): their figures are against the reference replies, their exact match is the share of replies written exactly, not intent accuracy, and the banking rubric does not apply to them (a reply generator is no intent classifier).`
    : ''
  return section('generation', 'Generation',
    html`<p class="note">${targets.join(' and ')} on the test split, ${decoding(runs[0]!.summary)} with a key/value cache. The decoder is a ${decoder.layers}-layer, hidden-${decoder.hiddenSize} Llama (vocabulary ${decoder.vocabSize}, ${formatCount(decoder.parameters)} parameters) trained from scratch in each run: no pretrained decoder can be downloaded here, so it first learns the language of the training messages and intent names (unpaired), then the arm's method teaches it the mapping. Its figures are those of a tiny model trained for minutes, not of a pretrained LLM. Exact match is the share of generated names equal to the reference (the intent accuracy of the generated names); BLEU is corpus BLEU 0-100 (sacreBLEU's 13a tokenisation); ROUGE F1 as rouge-score computes it; perplexity is that of the reference names given the message; semantic similarity is the mean cosine of the base encoder's mean-pooled embeddings of generated and reference names. ms/token is the median time of one decoding step after the prompt pass for a batch of ${runs[0]!.summary.generationBatchSize} prompts (each step writes one token per prompt; LoRA merged into the weights first, as a deployment would); tokens/s counts generated tokens over whole generate calls. Intent accuracy and per-query latency at batch 1 do not apply to these runs.${replies}</p>`,
    table<GenerativeRun>([
      { title: 'run', cell: label },
      { title: 'exact match', cell: ({ summary }) => formatPercent(summary.exactMatch), numeric: true },
      { title: 'BLEU', cell: ({ summary }) => summary.bleu.toFixed(1), numeric: true },
      { title: 'ROUGE-1 / 2 / L', cell: ({ summary }) => `${summary.rouge1.toFixed(3)} / ${summary.rouge2.toFixed(3)} / ${summary.rougeL.toFixed(3)}`, numeric: true },
      { title: 'perplexity', cell: ({ summary }) => summary.perplexity.toFixed(2), numeric: true },
      { title: 'semantic similarity', cell: ({ summary }) => (summary.semanticSimilarity === null ? MISSING : summary.semanticSimilarity.toFixed(3)), numeric: true },
      { title: 'ms/token p50 / p95', cell: ({ summary }) => (summary.tokenLatency ? `${formatMilliseconds(summary.tokenLatency.p50Ms)} / ${formatMilliseconds(summary.tokenLatency.p95Ms)}` : MISSING), numeric: true },
      { title: 'tokens/s', cell: ({ summary }) => summary.tokensPerSecond.toFixed(0), numeric: true },
      { title: 'train time', cell: ({ summary }) => formatSeconds(summary.trainSeconds), numeric: true },
      { title: 'trainable', cell: ({ summary }) => formatCount(summary.trainableParameters), numeric: true },
    ], runs, { className: 'compact' }),
    html`<h3>Generated examples</h3>`,
    table<{ run: string; prompt: string; reference: string; generated: string }>([
      { title: 'run', cell: (row) => row.run },
      { title: 'message', cell: (row) => row.prompt },
      { title: 'reference', cell: (row) => row.reference },
      { title: 'generated', cell: (row) => row.generated },
    ], runs.flatMap((entry) => entry.summary.samples.slice(0, 3).map((sample) => ({ run: label(entry), ...sample }))), { className: 'compact' }),
  )
}
