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
  /**
   * Runs models, so it carries what esbuild cannot inline: tfjs-backend-wasm's .wasm
   * binaries in TFJS_WASM_BUNDLE_DIRECTORY (the engine is pointed at them through
   * BANKBENCH_TFJS_WASM_DIR; without them it would fall back to tfjs's plain-JS cpu
   * backend), and onnxruntime-node with its Linux x64 library in node_modules/ (the
   * serving runtime, packages/serving/src/predictor.ts).
   */
  runsModels?: boolean
  /**
   * Prints the PDF report (packages/report/src/pdf.ts), so it carries Chromium and its
   * driver (PDF_PRINTING_PACKAGES), left external by esbuild and copied with their
   * dependencies into node_modules/: `@sparticuz/chromium` finds its Brotli-packed binary
   * in its own `bin/` folder, and playwright-core reads its own package.json and
   * browsers.json at run time, which a bundle does not have. Lambda's image has no browser.
   */
  printsPdf?: boolean
}

export const TFJS_WASM_BUNDLE_DIRECTORY = 'tfjs-backend-wasm'
export const TFJS_WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const
/**
 * The npm files a model-serving bundle ships in its node_modules/, left external by
 * esbuild: onnxruntime-node loads its native binding by a path built at run time.
 * Only Lambda's platform (linux x64) of the 288 MB package's binaries.
 */
export const ONNX_RUNTIME_FILES = [
  'onnxruntime-node/package.json',
  'onnxruntime-node/dist',
  'onnxruntime-node/bin/napi-v6/linux/x64',
  'onnxruntime-common',
] as const
export const ONNX_RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-common'] as const

/**
 * What a PDF-printing bundle ships in node_modules/, each package with its runtime
 * dependencies: the Lambda-ready Chromium (68 MB on disk, nearly all of it the
 * Brotli-packed binary, which no zip shrinks; 212 MB once decompressed into /tmp on a
 * container's first PDF; tar-fs and follow-redirects beside it, 7 MB) and
 * playwright-core, which drives it (14 MB). bench/report-pdf-lambda.ts measures them.
 */
export const PDF_PRINTING_PACKAGES = ['playwright-core', '@sparticuz/chromium'] as const

export const LAMBDA_BUNDLES = {
  // The API migrates the database on its first request and registers Banking77 from
  // data/; it loads a model for a deployment's smoke check (and serves classify too),
  // and prints the PDF report (packages/report/README.md, "PDF on AWS Lambda").
  api: { entry: 'functions/api/lambda.ts', assets: ['migrations', 'data/banking77'], runsModels: true, printsPdf: true },
  // The classify routes alone, for the chatbot backend (infra/inference.ts); it migrates like the API if it starts first.
  inference: { entry: 'functions/inference/handler.ts', assets: ['migrations'], runsModels: true },
  'batch-events': { entry: 'functions/batch-events/handler.ts', assets: [] },
  'batch-sweep': { entry: 'functions/batch-events/sweep.ts', assets: [] },
} as const satisfies Record<string, LambdaBundle>

/**
 * The API routes answered by the inference function instead of the API's
 * (infra/inference.ts): the ones the chatbot backend calls.
 */
export const INFERENCE_ROUTES = ['POST /v1/classify', 'POST /v1/classify/batch'] as const

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
