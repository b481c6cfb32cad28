/**
 * The native kernels' built-in blocked matrix product against the named peer OpenBLAS
 * (Debian's libopenblas, linked into the same addon), on the products of one
 * bankbench-mini training step (hidden 256, FFN 1024, 4 heads, batch 32 x 32 tokens,
 * LoRA rank 8, 77 intents), one thread each:
 *   npx tsx bench/matrix-product.ts [--rounds 7] [--flops 2e8]
 * The built-in product runs on each micro-kernel set this CPU supports (AVX-512, AVX2,
 * portable): OpenBLAS 0.3.21 picks its Haswell (AVX2) kernels on an AMD EPYC, so the
 * AVX2 column is the like-for-like comparison, and the portable one is what an arm64
 * machine without OpenBLAS would get. Each round times every variant on the same
 * operands, alternately, for about `--flops` floating-point operations each; the best
 * round counts (the least disturbed by the rest of the machine). Prints GFLOP/s per
 * product and each variant's total time for one training step's products.
 */
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { loadNativeKernels } from '@bankbench/native-kernels'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, flops: { type: 'string', default: '2e8' } } })
const rounds = Number(values.rounds)
const flopsPerRound = Number(values.flops)

const load = loadNativeKernels({ threads: 1 })
if (!load.loaded) throw new Error(load.reason)
const kernels = load.kernels
if (!kernels.useGemmBackend('openblas')) {
  console.log('This addon was built without OpenBLAS: the peer cannot run (npm run build:native on a machine with libopenblas-dev).')
  process.exit(0)
}
kernels.setThreads(1)

interface Product {
  name: string
  /** How many times one training step runs it (forward and backward of both layers). */
  perStep: number
  batch: number
  m: number
  n: number
  k: number
  transposeA: boolean
  transposeB: boolean
}

const ROWS = 32 * 32
const HIDDEN = 256
const FFN = 1024
const HEADS = 4
const TOKENS = 32
const HEAD_SIZE = HIDDEN / HEADS
const RANK = 8
const LAYERS = 2
// Full fine-tuning's products per layer: four hidden x hidden projections and the two
// feed-forward ones, each with its forward, input gradient and weight gradient; attention's
// per-head products; LoRA's rank-8 factors on query and value.
const PRODUCTS: Product[] = [
  { name: 'projection forward', perStep: 4 * LAYERS, batch: 1, m: ROWS, n: HIDDEN, k: HIDDEN, transposeA: false, transposeB: true },
  { name: 'projection input gradient', perStep: 4 * LAYERS, batch: 1, m: ROWS, n: HIDDEN, k: HIDDEN, transposeA: false, transposeB: false },
  { name: 'projection weight gradient', perStep: 4 * LAYERS, batch: 1, m: HIDDEN, n: HIDDEN, k: ROWS, transposeA: true, transposeB: false },
  { name: 'FFN up forward', perStep: LAYERS, batch: 1, m: ROWS, n: FFN, k: HIDDEN, transposeA: false, transposeB: true },
  { name: 'FFN down forward', perStep: LAYERS, batch: 1, m: ROWS, n: HIDDEN, k: FFN, transposeA: false, transposeB: true },
  { name: 'FFN up input gradient', perStep: LAYERS, batch: 1, m: ROWS, n: HIDDEN, k: FFN, transposeA: false, transposeB: false },
  { name: 'FFN down input gradient', perStep: LAYERS, batch: 1, m: ROWS, n: FFN, k: HIDDEN, transposeA: false, transposeB: false },
  { name: 'FFN weight gradients', perStep: 2 * LAYERS, batch: 1, m: FFN, n: HIDDEN, k: ROWS, transposeA: true, transposeB: false },
  { name: 'attention scores (per head)', perStep: 3 * LAYERS, batch: 32 * HEADS, m: TOKENS, n: TOKENS, k: HEAD_SIZE, transposeA: false, transposeB: true },
  { name: 'attention context (per head)', perStep: 3 * LAYERS, batch: 32 * HEADS, m: TOKENS, n: HEAD_SIZE, k: TOKENS, transposeA: false, transposeB: false },
  { name: 'LoRA down (x Aᵀ)', perStep: 2 * LAYERS, batch: 1, m: ROWS, n: RANK, k: HIDDEN, transposeA: false, transposeB: true },
  { name: 'LoRA up (xAᵀ Bᵀ)', perStep: 2 * LAYERS, batch: 1, m: ROWS, n: HIDDEN, k: RANK, transposeA: false, transposeB: true },
  { name: 'LoRA A gradient', perStep: 2 * LAYERS, batch: 1, m: RANK, n: HIDDEN, k: ROWS, transposeA: true, transposeB: false },
  { name: 'classifier head', perStep: 3, batch: 1, m: 32, n: 77, k: HIDDEN, transposeA: false, transposeB: true },
]

function randomFloats(length: number): Float32Array {
  return Float32Array.from({ length }, () => Math.random() * 2 - 1)
}

/** A matrix product to time: OpenBLAS, or the built-in one on a kernel set. */
interface Variant {
  label: string
  use: () => void
}
const variants: Variant[] = [
  { label: 'OpenBLAS', use: () => kernels.useGemmBackend('openblas') },
  ...kernels.builtinKernelSets().map((set) => ({
    label: `built-in ${set}`,
    use: () => {
      kernels.useGemmBackend('builtin')
      kernels.useBuiltinKernelSet(set)
    },
  })),
]

/** Seconds per product for each variant, best of `rounds`, the variants alternating within each round. */
function time(product: Product): number[] {
  const { batch, m, n, k, transposeA, transposeB } = product
  const a = randomFloats(batch * m * k)
  const b = randomFloats(batch * k * n)
  const c = new Float32Array(batch * m * n)
  const repeats = Math.max(3, Math.round(flopsPerRound / (2 * batch * m * n * k)))
  const best = variants.map(() => Infinity)
  for (let round = 0; round <= rounds; round++) {
    variants.forEach((variant, index) => {
      variant.use()
      const start = performance.now()
      for (let repeat = 0; repeat < repeats; repeat++) kernels.sgemmBatched(transposeA, transposeB, batch, m, n, k, a, m * k, b, k * n, c)
      const seconds = (performance.now() - start) / 1000 / repeats
      // Round 0 warms caches and the packing buffers up.
      if (round > 0) best[index] = Math.min(best[index]!, seconds)
    })
  }
  return best
}

console.log(`Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); one thread per product`)
kernels.useGemmBackend('openblas')
console.log(`Peer: ${kernels.blasConfig()}`)
kernels.useGemmBackend('builtin')
for (const set of kernels.builtinKernelSets()) {
  kernels.useBuiltinKernelSet(set)
  console.log(`Ours: ${kernels.blasConfig()}`)
}
console.log('')

const rows: string[][] = []
const fullStep = variants.map(() => 0)
const loraStep = variants.map(() => 0)
for (const product of PRODUCTS) {
  const seconds = time(product)
  const flops = 2 * product.batch * product.m * product.n * product.k
  seconds.forEach((value, index) => {
    fullStep[index] = fullStep[index]! + product.perStep * value
    // A LoRA step skips the frozen weights' gradients.
    if (!product.name.includes('weight gradient')) loraStep[index] = loraStep[index]! + product.perStep * value
  })
  rows.push([
    product.name,
    `${product.batch > 1 ? `${product.batch} x ` : ''}${product.m} x ${product.n} x ${product.k}${product.transposeA ? ' Aᵀ' : ''}${product.transposeB ? ' Bᵀ' : ''}`,
    ...seconds.map((value) => (flops / value / 1e9).toFixed(1)),
  ])
}
const stepRow = (name: string, totals: number[]) => [name, 'ms (OpenBLAS / ours)', ...totals.map((total) => `${(total * 1000).toFixed(1)} (${(totals[0]! / total).toFixed(2)}x)`)]
rows.push(stepRow('one full fine-tuning step', fullStep))
rows.push(stepRow('one LoRA step', loraStep))

const header = ['product', 'batch x m x n x k', ...variants.map((variant) => `${variant.label} GFLOP/s`)]
const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`
console.log([line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n'))
console.log('\n(the last two rows: milliseconds of products in one training step, and OpenBLAS\'s time over each variant\'s: above 1x is faster than OpenBLAS)')
