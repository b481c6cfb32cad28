import type { OpenAPIHono } from '@hono/zod-openapi'
import type { ApiEnv } from './env'
import { API_VERSION } from './version'

export type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>

/** The OpenAPI 3.1 document of the app's routes: served at /openapi.json and written to openapi.yaml. */
export function openApiDocument(app: OpenAPIHono<ApiEnv>): OpenApiDocument {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'bankbench',
      version: API_VERSION,
      description: 'Benchmark ways to fine-tune language models for Banking77 intent classification. Every error is `application/problem+json` (RFC 9457).',
    },
    tags: [
      { name: 'health' },
      { name: 'datasets', description: 'The built-in Banking77 dataset and uploaded CSVs' },
      { name: 'benchmarks', description: 'A dataset, a base model and arms of methods, expanded into runs' },
      { name: 'runs', description: 'One train and evaluation of one configuration' },
      { name: 'jobs', description: 'The unit of execution (an AWS Batch job or a local process)' },
    ],
  })
}
