import { resolve } from 'node:path'
import { z } from 'zod'

/**
 * Every setting comes from the environment, with defaults that run the embedded
 * stack on a laptop: PGlite and files under .bankbench/, jobs as local processes.
 */
const configSchema = z.object({
  BANKBENCH_HOME: z.string().default('.bankbench'),
  DATABASE_URL: z.string().url().optional(),
  BANKBENCH_ARTIFACTS: z.string().optional(),
  BANKBENCH_S3_ENDPOINT: z.string().url().optional(),
  BANKBENCH_QUEUE: z.enum(['local', 'batch']).default('local'),
  /** The SST stage whose Batch queues receive jobs when BANKBENCH_QUEUE=batch. */
  BANKBENCH_STAGE: z.string().default('dev'),
  BANKBENCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  BANKBENCH_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(2),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /**
   * Operator keys, comma-separated: when set, every /v1 route but classify requires one
   * (functions/api/admin-keys.ts). A value that names no key (`,`, spaces) is an error,
   * never "no keys": a blank secret must not open the API.
   */
  BANKBENCH_ADMIN_API_KEYS: z.string().optional()
    .refine((value) => value === undefined || value.split(',').some((key) => key.trim() !== ''), 'names no key (only commas or spaces); set one or more keys, or leave the variable unset for local mode')
    .transform((value) => (value ?? '').split(',').map((key) => key.trim()).filter(Boolean))
    .refine((keys) => keys.every((key) => key.length >= 16), 'every operator key must be at least 16 characters (e.g. `openssl rand -hex 24`)'),
})

export interface BankbenchConfig {
  home: string
  databaseUrl: string | undefined
  artifactsUri: string
  s3Endpoint: string | undefined
  queue: 'local' | 'batch'
  stage: string
  concurrency: number
  jobAttempts: number
  port: number
  /** Empty: local mode (loopback only), which a deployed API refuses (functions/api/admin-keys.ts `operatorAccess`). */
  adminApiKeys: string[]
}

export function loadConfig(env: Record<string, string | undefined> = process.env): BankbenchConfig {
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')))
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  }
  const values = parsed.data
  const home = resolve(values.BANKBENCH_HOME)
  return {
    home,
    databaseUrl: values.DATABASE_URL,
    artifactsUri: values.BANKBENCH_ARTIFACTS ?? `file://${resolve(home, 'artifacts')}`,
    s3Endpoint: values.BANKBENCH_S3_ENDPOINT,
    queue: values.BANKBENCH_QUEUE,
    stage: values.BANKBENCH_STAGE,
    concurrency: values.BANKBENCH_CONCURRENCY,
    jobAttempts: values.BANKBENCH_JOB_ATTEMPTS,
    port: values.PORT,
    adminApiKeys: values.BANKBENCH_ADMIN_API_KEYS,
  }
}
