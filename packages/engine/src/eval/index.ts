export { measureLatency, measureThroughput } from './latency'
export type { LatencyOptions, LatencyMeasurement, ThroughputMeasurement } from './latency'
export { countParameters } from './parameters'
export type { ParameterCount } from './parameters'
