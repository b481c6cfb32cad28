import {
  buildComparison, comparisonToCsv, constraintsOf, getBenchmark, listRunsOfBenchmark, loadPriceTable, nameString, ProblemError, recommend, type Database,
} from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { IdParams } from '../schemas/common'
import { ComparisonSchema, RecommendationSchema } from '../schemas/comparison'
import { problemResponses } from '../schemas/problem'

const CostQuery = z.object({
  instanceType: nameString().min(1).max(100).optional()
    .openapi({ param: { name: 'instanceType', in: 'query' }, description: 'Price every run on this instance type (see the price table; BANKBENCH_PRICES overrides it). Default: the machine each run ran on.', example: 'g5.xlarge' }),
  pricing: z.enum(['on-demand', 'spot']).default('on-demand')
    .openapi({ param: { name: 'pricing', in: 'query' }, description: 'On-demand or spot prices (spot at the table\'s stated discount).' }),
})

const ComparisonQuery = CostQuery.extend({
  format: z.enum(['json', 'csv']).default('json')
    .openapi({ param: { name: 'format', in: 'query' }, description: '`csv` answers text/csv.' }),
  view: z.enum(['runs', 'methods']).default('runs')
    .openapi({ param: { name: 'view', in: 'query' }, description: 'For CSV: one line per run, or per method (its best configuration, mean and std over seeds).' }),
})

const comparisonRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}/comparison',
  operationId: 'getBenchmarkComparison',
  tags: ['benchmarks'],
  summary: 'The comparison matrix: each run and each method\'s best configuration',
  description: 'Method, configuration, trainable parameters and reduction against full fine-tuning, peak memory (and which measurement), training time, '
    + 'accuracy, macro-F1, latency p50/p95, throughput and cost in dollars from the measured durations. A method\'s best configuration is chosen by '
    + 'validation accuracy, never by test. `?format=csv` gives the same as CSV.',
  request: { params: IdParams, query: ComparisonQuery },
  responses: {
    200: {
      description: 'The comparison',
      content: {
        'application/json': { schema: ComparisonSchema },
        'text/csv': { schema: { type: 'string', example: 'run_id,method,config,seed,status,...\r\n' } },
      },
    },
    ...problemResponses(400, 404),
  },
})

const recommendationsRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}/recommendations',
  operationId: 'getBenchmarkRecommendations',
  tags: ['benchmarks'],
  summary: 'Which methods meet the success criteria, the Pareto fronts, the recommended method and the study\'s answers',
  description: 'Every run and every method\'s best configuration against each constraint (measured value, pass or fail), the Pareto fronts of accuracy '
    + 'against memory, training time and trainable parameters, the best method that meets every constraint (by validation accuracy) with reasons, '
    + 'and answers computed from the data: the optimal LoRA rank, whether QLoRA is worth its time, the best method overall.',
  request: { params: IdParams, query: CostQuery },
  responses: {
    200: { description: 'The recommendations', content: { 'application/json': { schema: RecommendationSchema } } },
    ...problemResponses(400, 404),
  },
})

export function comparisonRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(comparisonRoute, async (c) => {
      const { db } = await getPlatform()
      const { format, view, ...cost } = c.req.valid('query')
      const { comparison } = await compare(db, c.req.valid('param').id, cost)
      if (format === 'csv') {
        return c.body(comparisonToCsv(comparison, view), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${comparison.benchmarkId}-${view}.csv"`,
        })
      }
      return c.json(comparison, 200)
    })
    .openapi(recommendationsRoute, async (c) => {
      const { db } = await getPlatform()
      const { comparison, spec } = await compare(db, c.req.valid('param').id, c.req.valid('query'))
      return c.json(recommend(comparison, constraintsOf(spec)), 200)
    })
}

async function compare(db: Database, id: string, cost: z.infer<typeof CostQuery>) {
  const benchmark = await getBenchmark(db, id)
  const prices = loadPriceTable()
  if (cost.instanceType !== undefined && !Object.hasOwn(prices.instances, cost.instanceType)) {
    throw new ProblemError('validation-failed', `instanceType '${cost.instanceType}' has no price; use one of: ${Object.keys(prices.instances).join(', ')}`,
      [{ path: 'query.instanceType', message: 'unknown instance type' }])
  }
  const runs = await listRunsOfBenchmark(db, benchmark.id)
  return { comparison: buildComparison(benchmark, runs, cost, prices), spec: benchmark.spec }
}
