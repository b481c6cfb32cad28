/** The API Lambda's entry (infra/lambda-bundles.ts): the app of @bankbench/api, wired in `createHandler`. */
import { createHandler } from '@bankbench/api/lambda'

export const handler = createHandler()
