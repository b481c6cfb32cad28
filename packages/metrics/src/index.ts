export * from './classification'
export * from './latency'
export * from './memory'
export * from './evaluate-classifier'
