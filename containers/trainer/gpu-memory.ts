/**
 * The GPU memory figures a training run's summary records. The peak is the run's own
 * process's (`ResourceMonitor`: nvidia-smi's compute apps, filtered by pid), so the
 * GPU-memory criterion compares methods, not the allocator's pool or other processes.
 * On a backend without a GPU (wasm, cpu, tfjs-node on CPU) there is nothing to measure:
 * the figure is listed as not applicable, and the criterion says so instead of passing.
 */
import type { RunFigures } from '@bankbench/core'
import type { ResourcePeaks } from '@bankbench/engine'

export function gpuMemoryFigures(peaks: ResourcePeaks, backend: { gpu: boolean }): Required<Pick<RunFigures, 'peakGpuMemoryBytes' | 'notApplicable'>> & Pick<RunFigures, 'peakGpuMemoryAttribution'> {
  if (!backend.gpu) return { peakGpuMemoryBytes: null, notApplicable: ['peakGpuMemoryBytes'] }
  return {
    peakGpuMemoryBytes: peaks.gpuMemoryBytes,
    ...(peaks.gpuMemoryAttribution && { peakGpuMemoryAttribution: peaks.gpuMemoryAttribution }),
    notApplicable: [],
  }
}
