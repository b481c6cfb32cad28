import { execFile, execFileSync } from 'node:child_process'
import * as tf from '@tensorflow/tfjs'
import { setting } from '@bankbench/settings'

/**
 * How a GPU memory figure was attributed to this process: `pid`, nvidia-smi listed this
 * process's id; `exclusive-gpu`, it listed other ids (the driver reports host PIDs, which a
 * container in its own PID namespace cannot match) on a GPU that AWS Batch gives this job
 * alone, so every process on it is this job's.
 */
export type GpuMemoryAttribution = 'pid' | 'exclusive-gpu'

export interface ResourcePeaks {
  /** Largest `tf.memory().numBytes` seen: bytes held by live tensors (the tfjs backend's view). */
  tensorBytes: number
  /** Largest resident set size of this process. */
  rssBytes: number
  /**
   * Largest GPU memory this process held, as `nvidia-smi --query-compute-apps` reports it: TensorFlow's memory
   * pool, which grows with what the run needs under TF_FORCE_GPU_ALLOW_GROWTH=true (the GPU job definition sets
   * it) and is most of the device without it. Other processes on the same GPU are not counted. Null without
   * nvidia-smi (no GPU), or when it never listed this process (a CPU backend on a GPU machine).
   */
  gpuMemoryBytes: number | null
  /** How gpuMemoryBytes was attributed to this process; null when it was not measured. */
  gpuMemoryAttribution: GpuMemoryAttribution | null
}

const GPU_POLL_INTERVAL_MS = 2_000

export interface ResourceMonitorOptions {
  /** This process's id as nvidia-smi should list it; default `process.pid`. */
  pid?: number
  /**
   * Whether the GPUs this process sees are its alone, so that processes nvidia-smi lists under ids it cannot match
   * are its own; default: on AWS Batch (`AWS_BATCH_JOB_ID` set), which assigns a job's GPUs to it exclusively.
   */
  exclusiveGpu?: boolean
  /** Runs `nvidia-smi` with these arguments and resolves its standard output; rejects when it cannot run. For tests. */
  nvidiaSmi?: (args: readonly string[]) => Promise<string>
}

/**
 * Keeps the peaks of tensor memory, RSS and this process's GPU memory during training.
 * Tensor memory and RSS are sampled by the trainer at the moment of the step when they
 * are highest (gradients alive); nvidia-smi is slow (tens of ms) so it is polled in the
 * background instead, every 2 s, and only when the binary exists. TensorFlow's pool only
 * grows, so the last poll is close to the peak even for short runs.
 */
export class ResourceMonitor {
  private peaks: ResourcePeaks = { tensorBytes: 0, rssBytes: 0, gpuMemoryBytes: null, gpuMemoryAttribution: null }
  private readonly gpuTimer: NodeJS.Timeout | null
  private readonly pid: number
  private readonly exclusiveGpu: boolean
  private readonly nvidiaSmi: (args: readonly string[]) => Promise<string>

  constructor(options: ResourceMonitorOptions = {}) {
    this.pid = options.pid ?? process.pid
    this.exclusiveGpu = options.exclusiveGpu ?? setting('AWS_BATCH_JOB_ID') !== undefined
    this.nvidiaSmi = options.nvidiaSmi ?? runNvidiaSmi
    this.sample()
    if (!options.nvidiaSmi && !hasNvidiaSmi()) {
      this.gpuTimer = null
      return
    }
    void this.pollGpu()
    this.gpuTimer = setInterval(() => void this.pollGpu(), GPU_POLL_INTERVAL_MS)
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

  /** One nvidia-smi sample; resolves when it is recorded (tests await it). */
  async pollGpu(): Promise<void> {
    let output: string
    try {
      output = await this.nvidiaSmi(COMPUTE_APPS_ARGS)
    } catch {
      return
    }
    const apps = parseComputeApps(output)
    const measured = apps && processGpuMemory(apps, this.pid, this.exclusiveGpu)
    if (!measured) return
    if (measured.bytes >= (this.peaks.gpuMemoryBytes ?? 0)) {
      this.peaks.gpuMemoryBytes = measured.bytes
      this.peaks.gpuMemoryAttribution = measured.attribution
    }
  }
}

export const COMPUTE_APPS_ARGS = ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'] as const

function runNvidiaSmi(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nvidia-smi', args, { timeout: 5_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

function hasNvidiaSmi(): boolean {
  try {
    execFileSync('nvidia-smi', ['--version'], { timeout: 5_000, stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** One process on one GPU, as `nvidia-smi --query-compute-apps=pid,used_memory` lists it. */
export interface ComputeApp {
  pid: number
  /** null where the driver cannot say (`[N/A]`: MIG without per-instance accounting, Windows WDDM). */
  usedBytes: number | null
}

/**
 * Parses `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits`:
 * one `pid, MiB` line per process and GPU (a process on two GPUs has two lines; no
 * process, no line). Null for output it does not understand.
 */
export function parseComputeApps(output: string): ComputeApp[] | null {
  const apps: ComputeApp[] = []
  for (const line of output.split('\n').map((text) => text.trim()).filter((text) => text !== '')) {
    const match = /^(\d+)\s*,\s*(\S.*)$/.exec(line)
    if (!match) return null
    const mebibytes = Number(match[2])
    apps.push({ pid: Number(match[1]), usedBytes: Number.isFinite(mebibytes) ? mebibytes * 2 ** 20 : null })
  }
  return apps
}

/**
 * This process's GPU memory from a compute-apps listing: its own lines, summed over GPUs;
 * where it has none but the GPUs are its alone (`exclusiveGpu`), every line (see
 * GpuMemoryAttribution). Null when nothing can be attributed, or the driver reports no figure.
 */
export function processGpuMemory(apps: readonly ComputeApp[], pid: number, exclusiveGpu: boolean): { bytes: number; attribution: GpuMemoryAttribution } | null {
  const own = apps.filter((app) => app.pid === pid)
  const attribution: GpuMemoryAttribution | null = own.length > 0 ? 'pid' : exclusiveGpu && apps.length > 0 ? 'exclusive-gpu' : null
  if (attribution === null) return null
  let bytes = 0
  for (const app of attribution === 'pid' ? own : apps) {
    if (app.usedBytes === null) return null
    bytes += app.usedBytes
  }
  return { bytes, attribution }
}
