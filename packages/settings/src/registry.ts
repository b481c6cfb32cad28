/**
 * Every environment variable bankbench's code reads, declared once. Code reads them
 * only through `setting()` (./read.ts); test/settings.test.ts fails on a read of an
 * undeclared variable anywhere in the repository, and on a README configuration table
 * that does not list exactly the `user` settings (`npm run settings:table` writes it).
 */
import { integer, list, oneOf, optIn, optOut, positiveNumber, text, trimmed, url, type Parser } from './parsers'

/**
 * - `user`: an operator sets it; the README's configuration table lists it.
 * - `platform`: bankbench sets it for its own processes (the job contract, the Lambda
 *   bundles, infra); declared so that every read is, not for people to set.
 * - `external`: another tool sets it (AWS Lambda, AWS Batch, OpenBLAS); read only.
 * - `development`: the tests' and benches' own knobs.
 */
export type SettingKind = 'user' | 'platform' | 'external' | 'development'

/**
 * Which processes read it: `api` the API server and the Lambda functions, `job` the job
 * processes (trainer containers, the local runner's children), `cli` the `bankbench`
 * CLI and the npm scripts, `bench` bench/, `infra` `sst deploy`, `test` the tests, `notebook`
 * the Jupyter notebook in notebooks/ (Python, `os.environ`).
 */
export type SettingReader = 'api' | 'job' | 'cli' | 'bench' | 'infra' | 'test' | 'notebook'

export interface SettingSpec<T = unknown, U = unknown> extends Parser<T, U> {
  readonly kind: SettingKind
  readonly readBy: readonly SettingReader[]
  /** The default as the documentation states it (markdown). */
  readonly default: string
  /** What it does (markdown, one paragraph). */
  readonly meaning: string
  /** Never echoed in an error message. */
  readonly secret?: boolean
}

const REMOTE_STORE_SKIPPED = 'unset (or the placeholder `unset`, which the stage\'s secrets start as), those arms are skipped with a reason naming it'
const LLM_SKIPPED = 'unset (or the placeholder `unset`, which the stage\'s secrets start as), the baseline\'s runs are skipped'

export const SETTINGS = {
  // Where things live.
  BANKBENCH_HOME: {
    kind: 'user', readBy: ['api', 'cli', 'bench'], default: '`.bankbench`',
    meaning: 'where the embedded database, artifacts and job logs live',
    ...text('.bankbench'),
  },
  DATABASE_URL: {
    kind: 'user', readBy: ['api', 'job', 'cli', 'test'], default: 'embedded PGlite', secret: true,
    meaning: 'a Postgres connection string (RDS in production, the local server in CI; the tests also run against it when set)',
    ...url(),
  },
  BANKBENCH_ARTIFACTS: {
    kind: 'user', readBy: ['api', 'job', 'cli'], default: '`file://<home>/artifacts`',
    meaning: 'artifact store: a path, `file:///…` or `s3://bucket/prefix`',
    ...text(),
  },
  BANKBENCH_S3_ENDPOINT: {
    kind: 'user', readBy: ['api', 'job'], default: 'AWS',
    meaning: 'an S3-compatible endpoint (path-style), e.g. a local s3rver',
    ...url(),
  },
  BANKBENCH_DATA_DIR: {
    kind: 'user', readBy: ['api', 'job', 'cli', 'test'], default: 'the repository\'s `data/`',
    meaning: 'the folder the built-in Banking77 is loaded from (its `banking77/`)',
    ...text(),
  },
  // Jobs.
  BANKBENCH_QUEUE: {
    kind: 'user', readBy: ['api', 'cli'], default: '`local`',
    meaning: '`local` (child processes) or `batch` (AWS Batch)',
    ...oneOf(['local', 'batch'], 'local'),
  },
  BANKBENCH_STAGE: {
    kind: 'user', readBy: ['api', 'cli'], default: '`dev`',
    meaning: 'with `batch`: the SST stage whose queues and job definitions receive jobs',
    ...text('dev'),
  },
  BANKBENCH_CONCURRENCY: {
    kind: 'user', readBy: ['api', 'cli'], default: '`1`; the CLI\'s embedded stack: `2` on 2+ cores',
    meaning: 'local job processes at once, each with its share of the cores as native threads; on Batch, the GPU jobs the compute environment holds (progress ETA)',
    ...integer({ min: 1, max: 64 }, 1),
  },
  BANKBENCH_JOB_ATTEMPTS: {
    kind: 'user', readBy: ['api', 'cli'], default: '`2`',
    meaning: 'attempts per job before it is failed (a retry resumes from its checkpoint)',
    ...integer({ min: 1, max: 10 }, 2),
  },
  BANKBENCH_CODE_VERSION: {
    kind: 'user', readBy: ['job', 'infra'], default: '`git rev-parse HEAD`',
    meaning: 'the code version each run records; the container images set it from their `BANKBENCH_CODE_VERSION` build arg (`sst deploy` passes the commit, `-dirty` with uncommitted changes)',
    ...text(),
  },
  // Tensors and models.
  BANKBENCH_BACKEND: {
    kind: 'user', readBy: ['api', 'job', 'cli', 'bench'], default: 'auto',
    meaning: 'tensor backend: `tensorflow` (tfjs-node[-gpu]), `wasm` or `cpu`; auto takes the first that loads',
    ...oneOf(['tensorflow', 'wasm', 'cpu']),
  },
  BANKBENCH_NATIVE_KERNELS: {
    kind: 'user', readBy: ['api', 'job', 'cli', 'bench', 'test'], default: 'on',
    meaning: '`0` keeps the engine on plain tfjs even where the native kernels (`npm run build:native`) are built, and skips building them before `npm start` and `npm run demo`',
    ...optOut('0'),
  },
  BANKBENCH_NATIVE_THREADS: {
    kind: 'user', readBy: ['api', 'job', 'cli', 'bench'], default: 'every core',
    meaning: 'threads of the native kernels\' pool (the matrix product runs single-threaded inside each)',
    ...integer({ min: 1, max: 1024 }),
  },
  BANKBENCH_MATRIX_PRODUCT: {
    kind: 'user', readBy: ['api', 'job', 'cli', 'bench', 'test'], default: 'auto',
    meaning: 'the native kernels\' matrix product: `builtin` (their own blocked sgemm) or `openblas` (where linked); auto takes the built-in one where it has AVX2/AVX-512 kernels, else OpenBLAS',
    ...oneOf(['builtin', 'openblas']),
  },
  BANKBENCH_SERVING_RUNTIME: {
    kind: 'user', readBy: ['api'], default: '`auto`',
    meaning: 'how a deployment is served: `onnxruntime`, `engine` (tfjs), or `auto` (ONNX Runtime where the method allows, else the engine)',
    ...oneOf(['auto', 'onnxruntime', 'engine'], 'auto'),
  },
  HF_TOKEN: {
    kind: 'user', readBy: ['api', 'job'], default: 'unset', secret: true,
    meaning: 'Hugging Face read token for `hf://` base models in gated or private repositories (sent as `Authorization: Bearer`, never logged; on AWS the `HfToken` secret, which Batch jobs receive as this variable; the placeholder `unset`, which the stage\'s secret starts as, counts as unset)',
    ...trimmed('unset'),
  },
  // The LLM baseline.
  BANKBENCH_LLM_BASE_URL: {
    kind: 'user', readBy: ['job'], default: 'unset',
    meaning: `base URL of the OpenAI-compatible endpoint the \`llm-api\` baseline asks (in the job's environment; on AWS the \`LlmBaselineBaseUrl\` secret); ${LLM_SKIPPED}`,
    ...trimmed('unset'),
  },
  BANKBENCH_LLM_API_KEY: {
    kind: 'user', readBy: ['job'], default: 'unset', secret: true,
    meaning: `the key sent to that endpoint (on AWS the \`LlmBaselineApiKey\` secret); ${LLM_SKIPPED}`,
    ...trimmed('unset'),
  },
  BANKBENCH_LLM_MODEL: {
    kind: 'user', readBy: ['job'], default: 'unset',
    meaning: `the model asked for at that endpoint (on AWS the \`LlmBaselineModel\` secret); a run's \`model\` hyperparameter overrides it; ${LLM_SKIPPED}`,
    ...trimmed('unset'),
  },
  BANKBENCH_LLM_SEND_CUSTOMER_TEXT: {
    kind: 'user', readBy: ['job'], default: 'off',
    meaning: '`1` (or `true`) allows the `llm-api` baseline to send the dataset\'s messages (test queries, few-shot examples) to that endpoint, a third party; off, its runs are skipped with a reason naming this variable and nothing is sent',
    ...optIn(['1', 'true']),
  },
  BANKBENCH_MODELS_DIR: {
    kind: 'platform', readBy: ['api', 'job', 'cli', 'bench', 'test'], default: 'the repository\'s `models/`',
    meaning: 'the folder holding the shipped base models (`bankbench-mini/`); the job images set it, since a bundle has no repository around it',
    ...text(),
  },
  // The remote vector stores (vector-bench arms of store pinecone, weaviate, milvus; the contract tests run against them too when set).
  PINECONE_API_KEY: {
    kind: 'user', readBy: ['job', 'test'], default: 'unset', secret: true,
    meaning: `Pinecone API key: \`pinecone\` arms create serverless indexes with it (on AWS the \`PineconeApiKey\` secret); ${REMOTE_STORE_SKIPPED}`,
    ...trimmed('unset'),
  },
  PINECONE_CONTROLLER_HOST: {
    kind: 'user', readBy: ['job', 'test'], default: 'Pinecone\'s (`https://api.pinecone.io`)',
    meaning: 'the Pinecone control plane those arms use: Pinecone Local\'s (`http://localhost:5080`, the `ghcr.io/pinecone-io/pinecone-local` Docker image, any API key) or another',
    ...trimmed('unset'),
  },
  WEAVIATE_URL: {
    kind: 'user', readBy: ['job', 'test'], default: 'unset',
    meaning: `REST endpoint of the Weaviate \`weaviate\` arms run on: \`http://localhost:8080\` for the Docker image (\`cr.weaviate.io/semitechnologies/weaviate\`), \`https://<cluster>.weaviate.cloud\` for Weaviate Cloud (on AWS the \`WeaviateUrl\` secret); ${REMOTE_STORE_SKIPPED}`,
    ...trimmed('unset'),
  },
  WEAVIATE_GRPC_URL: {
    kind: 'user', readBy: ['job', 'test'], default: '`https://grpc-<host>` on Weaviate Cloud, else port 50051 of `WEAVIATE_URL`\'s host',
    meaning: 'gRPC endpoint of that Weaviate (the v3 client imports, searches, counts and deletes over gRPC)',
    ...trimmed('unset'),
  },
  WEAVIATE_API_KEY: {
    kind: 'user', readBy: ['job', 'test'], default: 'unset: anonymous', secret: true,
    meaning: 'API key of that Weaviate (Weaviate Cloud\'s, or one set with `AUTHENTICATION_APIKEY_ALLOWED_KEYS`; on AWS the `WeaviateApiKey` secret)',
    ...trimmed('unset'),
  },
  MILVUS_URI: {
    kind: 'user', readBy: ['job', 'test'], default: 'unset',
    meaning: `gRPC address of the Milvus \`milvus\` arms run on: \`localhost:19530\` for Milvus standalone in Docker (\`milvusdb/milvus\`), \`https://<cluster>.serverless.<region>.cloud.zilliz.com\` for Zilliz Cloud (on AWS the \`MilvusUri\` secret); ${REMOTE_STORE_SKIPPED}`,
    ...trimmed('unset'),
  },
  MILVUS_TOKEN: {
    kind: 'user', readBy: ['job', 'test'], default: 'unset: no authentication', secret: true,
    meaning: 'credentials of that Milvus: `user:password` where authentication is on (`root:Milvus` until changed), or a Zilliz Cloud API key (on AWS the `MilvusToken` secret)',
    ...trimmed('unset'),
  },
  // Reports and costs.
  BANKBENCH_CHROMIUM: {
    kind: 'user', readBy: ['api', 'cli'], default: '`/usr/bin/chromium`',
    meaning: 'the Chromium binary that prints PDF reports (without one, only the HTML report is written)',
    ...text('/usr/bin/chromium'),
  },
  BANKBENCH_CHROMIUM_SOURCE: {
    kind: 'user', readBy: ['api', 'cli', 'bench'], default: '`sparticuz` on AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), else `path`',
    meaning: 'where the PDF report\'s Chromium comes from: `path` the binary at `BANKBENCH_CHROMIUM`, `sparticuz` the Lambda-ready build of the npm package `@sparticuz/chromium`, decompressed into the temporary folder on first use (packages/report/README.md)',
    ...oneOf(['path', 'sparticuz']),
  },
  BANKBENCH_PRICES: {
    kind: 'user', readBy: ['api', 'cli'], default: 'built-in AWS list prices',
    meaning: 'a JSON file whose entries override the cost model\'s price table (`PRICE_TABLE`)',
    ...text(),
  },
  // The API.
  PORT: {
    kind: 'user', readBy: ['api', 'cli'], default: '`8787`',
    meaning: 'HTTP port of `npm start` and `bankbench start`',
    ...integer({ min: 0, max: 65535 }, 8787),
  },
  BANKBENCH_ADMIN_API_KEYS: {
    kind: 'user', readBy: ['api', 'cli'], default: 'unset: local mode', secret: true,
    meaning: 'operator keys, comma-separated (16+ characters each): every `/v1` route but classify then needs `Authorization: Bearer <key>`. Required on a deployed API (Lambda, or `BANKBENCH_QUEUE=batch`), which refuses to start without. Local mode listens on 127.0.0.1 only, answers only Host `localhost`/`127.0.0.1`/`[::1]` with its port, and refuses cross-origin POST/PUT/PATCH/DELETE (403)',
    ...list({ minLength: 16, unsetMeans: 'local mode' }),
  },
  BANKBENCH_API_KEY: {
    kind: 'user', readBy: ['cli', 'notebook'], default: 'unset', secret: true,
    meaning: 'the operator key `bankbench run/status/report --url` and the notebook send (`Authorization: Bearer <key>`), needed against a deployed API; a local server in local mode needs none',
    ...text(),
  },
  BANKBENCH_URL: {
    kind: 'user', readBy: ['notebook', 'test'], default: '`http://127.0.0.1:8787`',
    meaning: 'the API the notebook (`notebooks/`) talks to: the embedded server of `npm start` / `bankbench start`, or a deployed stage (with `BANKBENCH_API_KEY`)',
    ...url(),
  },
  BANKBENCH_PRESET: {
    kind: 'user', readBy: ['notebook', 'test'], default: '`quick`',
    meaning: 'the preset the notebook submits (`GET /v1/presets`): `quick` compares baselines and LoRA in about two minutes on 2 cores; `demo` is the whole study',
    ...text('quick'),
  },

  // Set by bankbench for its own processes.
  BANKBENCH_JOB_ID: {
    kind: 'platform', readBy: ['job'], default: 'required in a job',
    meaning: 'the job a job process executes (`JOB_ENV`: set by the local runner and per Batch submission)',
    ...text(),
  },
  BANKBENCH_HEARTBEAT_SECONDS: {
    kind: 'platform', readBy: ['job'], default: '`10`',
    meaning: 'seconds between a job process\'s heartbeats (the local runner\'s option; 30 on Batch, infra/stage.ts)',
    ...positiveNumber(10),
  },
  TF_FORCE_GPU_ALLOW_GROWTH: {
    kind: 'platform', readBy: ['job'], default: 'unset (TensorFlow reserves nearly all GPU memory)',
    meaning: '`true` in the GPU job definition (infra/job-definitions.ts): TensorFlow, under tfjs-node-gpu, grows its GPU memory pool as tensors need it instead of reserving the whole device, so per-process GPU memory compares methods; read by TensorFlow itself',
    ...text(),
  },
  BANKBENCH_TFJS_WASM_DIR: {
    kind: 'platform', readBy: ['api'], default: 'tfjs-backend-wasm\'s `dist/`',
    meaning: 'the folder of the wasm backend\'s `.wasm` binaries; a model-serving Lambda bundle points it at the copies beside its code',
    ...text(),
  },
  BANKBENCH_PROVISION_CLASSIFY_ROLE: {
    kind: 'platform', readBy: ['api'], default: 'off',
    meaning: '`1` (infra/api.ts): the API Lambda creates or updates the inference function\'s read-only database role',
    ...optIn(['1']),
  },

  // Set by other tools; bankbench only reads them.
  AWS_BATCH_JOB_ARRAY_INDEX: {
    kind: 'external', readBy: ['job'], default: '`0`',
    meaning: 'AWS Batch: the array child\'s index, which picks the run it executes (the local runner sets it too)',
    ...integer({ min: 0, max: 10_000 }, 0),
  },
  AWS_BATCH_JOB_ID: {
    kind: 'external', readBy: ['job'], default: 'unset',
    meaning: 'AWS Batch: the job\'s id, recorded in the run\'s environment',
    ...text(),
  },
  AWS_LAMBDA_FUNCTION_NAME: {
    kind: 'external', readBy: ['api'], default: 'unset',
    meaning: 'AWS Lambda: set on Lambda, where the API refuses to start without operator keys and prints PDF reports with `@sparticuz/chromium`',
    ...text(),
  },
  TMPDIR: {
    kind: 'external', readBy: ['api', 'bench', 'test'], default: '`/tmp`',
    meaning: 'the temporary folder (Node\'s `os.tmpdir()`): where `@sparticuz/chromium` decompresses its Chromium for the PDF report (212 MB; Lambda\'s /tmp); its test and bench/report-pdf-lambda.ts point it at a folder of their own',
    ...text('/tmp'),
  },
  AWS_REGION: {
    kind: 'external', readBy: ['api', 'job'], default: 'the SDK\'s own resolution',
    meaning: 'AWS (Lambda and Batch set it): the region of the AWS SDK\'s S3 and Batch clients, read by the SDK itself',
    ...text(),
  },
  OPENBLAS_NUM_THREADS: {
    kind: 'external', readBy: ['api', 'job', 'cli', 'bench'], default: 'unset',
    meaning: 'OpenBLAS: its thread count; the native kernels set it to 1 while they load and put it back',
    ...text(),
  },

  // The tests' and benches' own.
  TEST_DATABASE_URL: {
    kind: 'development', readBy: ['test'], default: '`DATABASE_URL`',
    meaning: 'the Postgres server the repository tests create throwaway databases on, beside PGlite',
    ...url(),
  },
  SCRIPTED_BEHAVIOUR: {
    kind: 'development', readBy: ['test'], default: '`succeed`',
    meaning: 'what the job runner tests\' scripted entrypoint does (succeed, crash, throw, hang, …)',
    ...text('succeed'),
  },
  FUZZ_REQUESTS: {
    kind: 'development', readBy: ['test'], default: '`10500`',
    meaning: 'requests of the API fuzz test',
    ...integer({ min: 1, max: 10_000_000 }, 10_500),
  },
  FUZZ_SEED: {
    kind: 'development', readBy: ['test'], default: '`20260611`',
    meaning: 'seed of the API fuzz test',
    ...integer({ min: 0, max: Number.MAX_SAFE_INTEGER }, 20_260_611),
  },
  RELIABILITY_POSTGRES_URL: {
    kind: 'development', readBy: ['bench'], default: '`postgresql://postgres@127.0.0.1:5432/postgres`',
    meaning: 'the Postgres server bench/reliability.ts compares PGlite with',
    ...text('postgresql://postgres@127.0.0.1:5432/postgres'),
  },
} as const satisfies Record<string, SettingSpec>

export type SettingName = keyof typeof SETTINGS
export type SettingValue<N extends SettingName> = ReturnType<(typeof SETTINGS)[N]['parse']> | (typeof SETTINGS)[N]['unset']

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[]

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name)
}

/** The settings an operator sets, in declaration order: the README's configuration table. */
export function userSettings(): SettingName[] {
  return SETTING_NAMES.filter((name) => SETTINGS[name].kind === 'user')
}
