/**
 * The Lambda functions' code: which entry each bundles and which repository files
 * travel with it. `scripts/build-lambdas.ts` builds them, `test/lambda-bundles.test.ts`
 * runs the built handlers, and the functions in infra deploy these same directories
 * (SST's `bundle` option), so what is tested is what is deployed.
 */

export interface LambdaBundle {
  /** The TypeScript module whose `handler` export Lambda calls. */
  entry: string
  /**
   * Repository paths copied into the bundle at the same relative place, because
   * code finds them relative to its own source file (migrations, Banking77).
   */
  assets: string[]
}

export const LAMBDA_BUNDLES = {
  // The API migrates the database on its first request and registers Banking77 from data/.
  api: { entry: 'functions/api/lambda.ts', assets: ['migrations', 'data/banking77'] },
  'batch-events': { entry: 'functions/batch-events/handler.ts', assets: [] },
  'batch-sweep': { entry: 'functions/batch-events/sweep.ts', assets: [] },
} as const satisfies Record<string, LambdaBundle>

export type LambdaBundleName = keyof typeof LAMBDA_BUNDLES

/** Build output, ignored by git. */
export const LAMBDA_BUNDLE_ROOT = '.build/lambdas'
export const lambdaBundleDirectory = (name: LambdaBundleName) => `${LAMBDA_BUNDLE_ROOT}/${name}`
/** Every bundle is one `index.mjs` whose `handler` export is the function. */
export const LAMBDA_HANDLER = 'index.handler'
/**
 * The code targets Node 20 (the version CI runs); Lambda's Node 20 runtime is past
 * its deprecation date, so the functions run on Node 22, which package.json's
 * `engines` also allows.
 */
export const LAMBDA_RUNTIME = 'nodejs22.x'
