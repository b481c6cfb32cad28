/** The inference Lambda's entry (infra/lambda-bundles.ts): the classify routes of @bankbench/api, wired in `createInferenceHandler`. */
import { createInferenceHandler } from '@bankbench/api/lambda'

export const handler = createInferenceHandler()
