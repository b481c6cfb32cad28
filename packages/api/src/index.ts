/**
 * @bankbench/api: the bankbench HTTP API. `createApp` builds the Hono app,
 * `startServer` serves it on the loopback interface (`npm start`, `bankbench start`),
 * `openApiDocument` describes it (openapi.yaml). The Lambda wiring is
 * `@bankbench/api/lambda`; test helpers are `@bankbench/api/testing` (an app over a
 * fresh embedded platform) and `@bankbench/api/fuzz` (requests generated from openapi.yaml).
 */
export { createApp } from './app'
export { startServer, LOOPBACK_ADDRESS } from './server'
export { openApiDocument, type OpenApiDocument } from './openapi'
export { deployedBecause, operatorAccess, requiresOperatorKey, type OperatorAccess } from './admin-keys'
export { createInferenceApp } from './inference'
export { MAX_BATCH_TEXTS, MAX_TEXT_LENGTH } from './routes/classify'
export { API_VERSION } from './version'
export type { ApiEnv, GetPlatform } from './env'
