export interface MemorySnapshot {
  /** Resident set size of the whole process: what the operating system charges us. */
  rssBytes: number
  /** Live objects on the V8 heap (typed-array contents live outside it, in RSS). */
  heapUsedBytes: number
}

export function memorySnapshot(): MemorySnapshot {
  const usage = process.memoryUsage()
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed }
}

/**
 * Samples the process RSS on an interval and remembers the highest value, because
 * a snapshot after the work misses the transient peak (buffers freed at the end).
 * The timer is unref'd so that a forgotten tracker never keeps the process alive;
 * sampling only happens when the event loop is free, so a long synchronous loop is
 * seen at its next await (or at `stop()`, which samples once more).
 */
export class PeakMemoryTracker {
  private peakBytes: number
  private readonly timer: NodeJS.Timeout

  constructor(intervalMs = 50) {
    this.peakBytes = process.memoryUsage.rss()
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
  }

  /** Takes a sample now; call it inside long synchronous work to catch its peak. */
  sample(): void {
    this.peakBytes = Math.max(this.peakBytes, process.memoryUsage.rss())
  }

  /** Stops sampling and returns the peak RSS in bytes seen since construction. */
  stop(): number {
    clearInterval(this.timer)
    this.sample()
    return this.peakBytes
  }
}
