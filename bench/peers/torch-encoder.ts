/**
 * The PyTorch peer of the engine benches, seen from TypeScript: the one model shape
 * both sides build, running bench/peers/torch_encoder.py on it, and the
 * engine-vs-PyTorch table the benches print.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseEncoderConfig, type EncoderConfig } from '@bankbench/engine'

const PYTHON = '/usr/bin/python3'
const PEER_SCRIPT = fileURLToPath(new URL('./torch_encoder.py', import.meta.url))

/** A BERT encoder for sequence classification, as both sides build it. */
export interface EncoderShape {
  layers: number
  hidden: number
  heads: number
  intermediate: number
  vocab: number
  labels: readonly string[]
  maxPositions: number
  dropout: number
}

/**
 * The reference shape around the few sizes a bench varies: heads of 32 dimensions
 * (4 at hidden 128), FFN 4x hidden, BERT's 512 positions, dropout 0.1, erf GELU.
 */
export function encoderShape({ layers, hidden, vocab, labels }: Pick<EncoderShape, 'layers' | 'hidden' | 'vocab' | 'labels'>): EncoderShape {
  if (hidden % 32 !== 0) throw new Error(`--hidden must be a multiple of 32 (heads of 32 dimensions), got ${hidden}`)
  return { layers, hidden, heads: hidden / 32, intermediate: 4 * hidden, vocab, labels, maxPositions: 512, dropout: 0.1 }
}

/** The engine's config for the shape, through the same config.json parser a checkpoint goes through. */
export function engineConfig(shape: EncoderShape): EncoderConfig {
  return parseEncoderConfig({
    model_type: 'bert',
    vocab_size: shape.vocab,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    hidden_act: 'gelu',
    max_position_embeddings: shape.maxPositions,
    hidden_dropout_prob: shape.dropout,
    attention_probs_dropout_prob: shape.dropout,
    id2label: Object.fromEntries(shape.labels.map((label, index) => [String(index), label])),
  })
}

export interface PeerRun<Result> {
  torchVersion: string
  /** One measurement per thread count. */
  results: (Result & { threads: number })[]
}

/**
 * Runs the PyTorch peer on the shape at 1 and 2 threads, or says why it could not.
 * `input` goes to its stdin (the infer command reads token ids there).
 */
export function runTorchPeer<Result>(
  command: 'train' | 'infer', shape: EncoderShape, options: Record<string, number>, input?: string,
): PeerRun<Result> | string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' })
  if (probe.status !== 0) return `torch is not importable by ${PYTHON} (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}); install Debian's python3-torch`
  const args = {
    layers: shape.layers, hidden: shape.hidden, heads: shape.heads, intermediate: shape.intermediate,
    vocab: shape.vocab, labels: shape.labels.length, 'max-positions': shape.maxPositions, dropout: shape.dropout, ...options,
  }
  const result = spawnSync(PYTHON, [PEER_SCRIPT, command, ...Object.entries(args).flatMap(([name, value]) => [`--${name}`, String(value)]), '--threads', '1,2'], {
    encoding: 'utf8', input, maxBuffer: 16 * 2 ** 20,
  })
  if (result.status !== 0) return `the PyTorch peer failed: ${result.stderr.trim().split('\n').pop()}`
  return JSON.parse(result.stdout) as PeerRun<Result>
}

/** The thread count at which the peer was fastest on one measure, and its value there. */
export function bestOf<Result>(run: PeerRun<Result>, read: (result: Result) => number): { value: number; threads: number } {
  const best = run.results.reduce((fastest, result) => (read(result) < read(fastest) ? result : fastest))
  return { value: read(best), threads: best.threads }
}

export interface ComparisonRow {
  measure: string
  engine: number
  /** The peer's figure at its best thread count; absent when the peer did not run. */
  peer?: { value: number; threads: number }
  digits: number
}

/** | measure | engine | PyTorch | threads | engine / PyTorch |, or the engine's column alone with the reason. */
export function printComparison(engineLabel: string, rows: ComparisonRow[], peerSkipped?: string): void {
  const columns = ['', engineLabel, 'PyTorch CPU', 'torch threads', 'engine / PyTorch']
  const table = rows.map(({ measure, engine, peer, digits }) => [
    measure,
    engine.toFixed(digits),
    peer ? peer.value.toFixed(digits) : '-',
    peer ? String(peer.threads) : '-',
    peer ? `${(engine / peer.value).toFixed(2)}x` : '-',
  ])
  const widths = columns.map((column, index) => Math.max(column.length, ...table.map((cells) => cells[index]!.length)))
  const render = (cells: string[]): string => `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`
  console.log(`\n${render(columns)}\n|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  for (const cells of table) console.log(render(cells))
  if (peerSkipped) console.log(`\nPeer skipped: ${peerSkipped}`)
  console.log('(PyTorch column: its best of 1 and 2 threads on each row; engine / PyTorch above 1x means the engine is slower on ms rows, faster on per-second rows)\n')
}
