import { z } from '@hono/zod-openapi'

/** RFC 9457 problem details: the one shape every error response has. */
export const ProblemSchema = z.object({
  type: z.string().openapi({ example: 'https://bankbench.dev/problems/validation-failed' }),
  title: z.string().openapi({ example: 'The request is not valid' }),
  status: z.number().int().openapi({ example: 400 }),
  detail: z.string().openapi({ example: 'arms: Too small: expected array to have >=1 items' }),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional()
    .openapi({ description: 'One entry per invalid field, for validation problems.' }),
}).openapi('Problem')

const DESCRIPTIONS = {
  400: 'The request is not valid (see `errors`)',
  401: 'No API key, or not a valid one (send `Authorization: Bearer bb_…`)',
  403: 'The API key is not allowed to do this (a key of another stage)',
  404: 'The resource does not exist',
  409: 'Conflicts with the current state of the resource',
  413: 'The request body is too large',
  415: 'The request body has an unsupported content type',
  500: 'Unexpected server error',
  503: 'Something this route needs is not available on this server (see `detail`)',
} as const

type ProblemStatus = keyof typeof DESCRIPTIONS

interface ProblemResponse {
  description: string
  content: { 'application/problem+json': { schema: typeof ProblemSchema } }
}

/** The error responses of a route, for its OpenAPI description (500 is added to every route). */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]): Record<S | 500, ProblemResponse> {
  const responses = {} as Record<S | 500, ProblemResponse>
  for (const status of [...statuses, 500 as const]) {
    responses[status] = { description: DESCRIPTIONS[status], content: { 'application/problem+json': { schema: ProblemSchema } } }
  }
  return responses
}
