import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseNvidiaSmi, ResourceMonitor } from './resources'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('parseNvidiaSmi', () => {
  it('reads MiB per GPU line and sums the devices', () => {
    expect(parseNvidiaSmi('1024\n')).toBe(1024 * 2 ** 20)
    expect(parseNvidiaSmi('100\n 28\n')).toBe(128 * 2 ** 20)
  })

  it('gives null for output it does not understand', () => {
    expect(parseNvidiaSmi('')).toBeNull()
    expect(parseNvidiaSmi('[N/A]')).toBeNull()
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
})
