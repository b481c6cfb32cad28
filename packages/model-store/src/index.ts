export * from './base-model'
export * from './checkpoint-files'
export * from './artifact-integrity'
export * from './shipped-base-model'
