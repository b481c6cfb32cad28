import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { COMPUTE_APPS_ARGS, parseComputeApps, processGpuMemory, ResourceMonitor } from './resources'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const MiB = 2 ** 20

/**
 * `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits` as it prints: one line per process and
 * GPU. Captured shapes: two training processes sharing a GPU (the allocator of one without TF_FORCE_GPU_ALLOW_GROWTH
 * holding most of an A10G), one process on two GPUs, MIG (no per-process figure), and no process at all.
 */
const SHARED_GPU = '2741, 1356\n2988, 21470\n'
const TWO_GPUS = '4412, 6110\n4412, 5870\n'
const MIG = '5120, [N/A]\n'
const IDLE = ''

describe('parseComputeApps', () => {
  it('reads pid and MiB per line, and an empty listing as no process', () => {
    expect(parseComputeApps(SHARED_GPU)).toEqual([{ pid: 2741, usedBytes: 1356 * MiB }, { pid: 2988, usedBytes: 21470 * MiB }])
    expect(parseComputeApps(TWO_GPUS)).toEqual([{ pid: 4412, usedBytes: 6110 * MiB }, { pid: 4412, usedBytes: 5870 * MiB }])
    expect(parseComputeApps(IDLE)).toEqual([])
  })

  it('keeps a line whose figure the driver cannot give as unknown, and refuses output it does not understand', () => {
    expect(parseComputeApps(MIG)).toEqual([{ pid: 5120, usedBytes: null }])
    expect(parseComputeApps('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.')).toBeNull()
  })
})

describe('processGpuMemory', () => {
  it('counts this process only, not the others on the same GPU, and sums its lines over GPUs', () => {
    const apps = parseComputeApps(SHARED_GPU)!
    expect(processGpuMemory(apps, 2741, false)).toEqual({ bytes: 1356 * MiB, attribution: 'pid' })
    expect(processGpuMemory(apps, 2988, true)).toEqual({ bytes: 21470 * MiB, attribution: 'pid' })
    expect(processGpuMemory(parseComputeApps(TWO_GPUS)!, 4412, false)).toEqual({ bytes: 11980 * MiB, attribution: 'pid' })
  })

  it('attributes unmatched lines to this process only on a GPU that is its alone (a Batch container sees host PIDs)', () => {
    const inContainer = parseComputeApps('31877, 1650\n')!
    expect(processGpuMemory(inContainer, 7, false)).toBeNull()
    expect(processGpuMemory(inContainer, 7, true)).toEqual({ bytes: 1650 * MiB, attribution: 'exclusive-gpu' })
  })

  it('is unmeasured when the process is not listed, or its figure is unknown', () => {
    expect(processGpuMemory([], 1, true)).toBeNull()
    expect(processGpuMemory(parseComputeApps(SHARED_GPU)!, 1, false)).toBeNull()
    expect(processGpuMemory(parseComputeApps(MIG)!, 5120, false)).toBeNull()
  })
})

describe('ResourceMonitor', () => {
  it('keeps the tensor-memory peak after the tensors are gone', () => {
    const monitor = new ResourceMonitor()
    const large = tf.zeros([1024, 1024])
    monitor.sample()
    large.dispose()
    const peaks = monitor.stop()
    expect(peaks.tensorBytes).toBeGreaterThanOrEqual(4 * 2 ** 20)
    expect(peaks.rssBytes).toBeGreaterThan(0)
  })

  it('keeps the peak of this process\'s GPU memory across nvidia-smi samples, asking for compute apps', async () => {
    const outputs = ['', '300, 512\n77, 900\n', '300, 2048\n77, 900\n', '300, 1024\n']
    const asked: (readonly string[])[] = []
    const monitor = new ResourceMonitor({ pid: 300, exclusiveGpu: false, nvidiaSmi: async (args) => { asked.push(args); return outputs.shift() ?? '' } })
    for (let sample = 0; sample < 4; sample++) await monitor.pollGpu()
    expect(monitor.stop()).toMatchObject({ gpuMemoryBytes: 2048 * MiB, gpuMemoryAttribution: 'pid' })
    expect(asked.at(-1)).toEqual(COMPUTE_APPS_ARGS)
  })

  it('on a machine without nvidia-smi (this one, CI) measures no GPU memory: null, not 0', async () => {
    const monitor = new ResourceMonitor({ nvidiaSmi: () => Promise.reject(Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' })) })
    await monitor.pollGpu()
    expect(monitor.stop()).toMatchObject({ gpuMemoryBytes: null, gpuMemoryAttribution: null })
  })
})
