/**
 * Where a run executed (`runs.environment`): the host facts the job harness records
 * when it claims the run, the dataset's hash, and what the handler adds
 * (`RunContext.recordEnvironment`). Every fact is optional: a run that has not started
 * has none, and a fact is only ever added.
 */

/** What the job harness knows of the machine (`describeHost`). */
export type HostFacts = {
  host: string
  /** `linux-x64`, … */
  platform: string
  cpu: string
  cpuCount: number
  memoryBytes: number
  pid: number
  /** Node's version. */
  node: string
  /** The git commit (or BANKBENCH_CODE_VERSION); null when unknown. */
  codeVersion: string | null
  /** Set on AWS Batch: the run is then priced on a GPU instance. */
  awsBatchJobId: string | null
}

/** The tensor backend a run used, as the engine describes it (`BackendInfo`). */
export type BackendFacts = {
  name: string
  simd?: boolean
  threads: number
  gpu: boolean
  tfjsVersion: string
  customKernels: string[]
  nativeKernels: string[]
  nativeThreads?: number
  /** OpenBLAS's build string or the native kernels' built-in product. */
  nativeMatrixProduct?: string
}

/** What a handler may add to the environment. */
export type HandlerFacts = {
  backend: BackendFacts
  /** The llm-api baseline's endpoint (origin and path, never credentials) and model. */
  llmEndpoint: string
  llmModel: string
}

export type RunEnvironment = Partial<HostFacts> & Partial<HandlerFacts> & {
  /** Content hash of the benchmark's dataset. */
  datasetHash?: string
}
