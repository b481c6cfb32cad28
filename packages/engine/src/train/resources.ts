import { execFile, execFileSync } from 'node:child_process'
import * as tf from '@tensorflow/tfjs'

export interface ResourcePeaks {
  /** Largest `tf.memory().numBytes` seen: bytes held by live tensors (the tfjs backend's view). */
  tensorBytes: number
  /** Largest resident set size of this process. */
  rssBytes: number
  /** Largest GPU memory in use as `nvidia-smi` reports it (whole device, all processes); null without nvidia-smi. */
  gpuMemoryBytes: number | null
}

const GPU_POLL_INTERVAL_MS = 2_000

/**
 * Keeps the peaks of tensor memory, RSS and GPU memory during training. Tensor
 * memory and RSS are sampled by the trainer at the moment of the step when they are
 * highest (gradients alive); nvidia-smi is slow (tens of ms) so it is polled in the
 * background instead, and only when the binary exists.
 */
export class ResourceMonitor {
  private peaks: ResourcePeaks = { tensorBytes: 0, rssBytes: 0, gpuMemoryBytes: null }
  private readonly gpuTimer: NodeJS.Timeout | null

  constructor() {
    this.sample()
    const gpuBytes = queryGpuMemoryBytesSync()
    if (gpuBytes === null) {
      this.gpuTimer = null
      return
    }
    this.peaks.gpuMemoryBytes = gpuBytes
    this.gpuTimer = setInterval(() => this.pollGpu(), GPU_POLL_INTERVAL_MS)
    this.gpuTimer.unref()
  }

  sample(): void {
    this.peaks.tensorBytes = Math.max(this.peaks.tensorBytes, tf.memory().numBytes)
    this.peaks.rssBytes = Math.max(this.peaks.rssBytes, process.memoryUsage.rss())
  }

  current(): ResourcePeaks {
    return { ...this.peaks }
  }

  stop(): ResourcePeaks {
    if (this.gpuTimer) clearInterval(this.gpuTimer)
    this.sample()
    return this.current()
  }

  private pollGpu(): void {
    execFile('nvidia-smi', NVIDIA_SMI_ARGS, { timeout: 5_000 }, (error, stdout) => {
      const bytes = error ? null : parseNvidiaSmi(stdout)
      if (bytes !== null) this.peaks.gpuMemoryBytes = Math.max(this.peaks.gpuMemoryBytes ?? 0, bytes)
    })
  }
}

const NVIDIA_SMI_ARGS = ['--query-gpu=memory.used', '--format=csv,noheader,nounits']

function queryGpuMemoryBytesSync(): number | null {
  try {
    return parseNvidiaSmi(execFileSync('nvidia-smi', NVIDIA_SMI_ARGS, { timeout: 5_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
  } catch {
    return null
  }
}

/** One line per GPU, in MiB; the sum covers a job that spans several devices. */
export function parseNvidiaSmi(output: string): number | null {
  if (output.trim() === '') return null
  const values = output.trim().split('\n').map((line) => Number(line.trim()))
  if (values.some((value) => !Number.isFinite(value))) return null
  return values.reduce((sum, mebibytes) => sum + mebibytes * 2 ** 20, 0)
}
