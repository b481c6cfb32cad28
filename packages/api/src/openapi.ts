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
      // The repository declares no licence for its code; the README's is the data's (data/LICENSE-CC-BY-4.0).
      license: { name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
    },
    servers: [
      { url: 'http://localhost:8787', description: 'A local server (`npm start`)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stage (`npx sst deploy --stage <name>` prints its `api` URL)',
        variables: {
          apiId: { default: 'abc123', description: 'The API Gateway id in the stage\'s `api` output' },
          region: { default: 'eu-west-1', description: 'The AWS region the stage is deployed to' },
        },
      },
    ],
    tags: [
      { name: 'health', description: 'Whether the API can serve: version, database and job queue' },
      { name: 'datasets', description: 'The built-in Banking77 dataset and uploaded CSVs' },
      { name: 'benchmarks', description: 'A dataset, a base model and arms of methods, expanded into runs' },
      { name: 'runs', description: 'One train and evaluation of one configuration' },
      { name: 'jobs', description: 'The unit of execution (an AWS Batch job or a local process)' },
      { name: 'serving', description: 'Deploying a run to a stage, the stage\'s classify API keys and intent classification with its deployed model' },
    ],
  })
}
