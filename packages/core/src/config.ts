import { resolve } from 'node:path'
import { settings, type Environment } from '@bankbench/settings'

/**
 * The platform's settings, from the environment (declared, with their parsers and
 * defaults, in @bankbench/settings), with defaults that run the embedded stack on a
 * laptop: PGlite and files under .bankbench/, jobs as local processes.
 */
const CONFIG_SETTINGS = [
  'BANKBENCH_HOME', 'DATABASE_URL', 'BANKBENCH_ARTIFACTS', 'BANKBENCH_S3_ENDPOINT', 'BANKBENCH_QUEUE', 'BANKBENCH_STAGE',
  'BANKBENCH_CONCURRENCY', 'BANKBENCH_JOB_ATTEMPTS', 'PORT', 'BANKBENCH_ADMIN_API_KEYS',
] as const

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
  /** Empty: local mode (loopback only), which a deployed API refuses (packages/api/src/admin-keys.ts `operatorAccess`). */
  adminApiKeys: string[]
}

/** Throws `SettingsError` ("invalid configuration: …") naming every invalid variable. */
export function loadConfig(env: Environment = process.env): BankbenchConfig {
  const values = settings(CONFIG_SETTINGS, env)
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
