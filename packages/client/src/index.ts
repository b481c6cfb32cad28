export { createBankbenchClient, type BankbenchClient, type BankbenchClientOptions } from './client'
export { BankbenchApiError, BankbenchError, BankbenchTimeoutError, BankbenchUnavailableError, type Problem } from './errors'
export { type RetryPolicy } from './resilient-fetch'
export type { components, paths } from './schema'

import type { components } from './schema'
/** The API's named schemas, e.g. `Schemas['BenchmarkDetail']`. */
export type Schemas = components['schemas']
