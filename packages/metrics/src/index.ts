export * from './classification'
export * from './latency'
export * from './memory'
