export * from './random'
export * from './csv'
export * from './banking77'
export * from './redact-pii'
