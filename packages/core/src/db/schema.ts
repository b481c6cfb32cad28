/**
 * The metadata store, declared once: migrations in /migrations are generated from
 * this file (`npm run db:generate`) and queries are typed from it.
 */
import { sql } from 'drizzle-orm'
import {
  bigserial, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex,
} from 'drizzle-orm/pg-core'
import { JOB_KINDS } from '../jobs/job-queue'
import type { BenchmarkSpec } from '../benchmarks/spec'
import type { RunConfig, RunEnvironment, RunSummary } from '../contracts'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

export const datasets = pgTable('datasets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** builtin (shipped with bankbench) or upload (a bank's own CSV). */
  source: text('source', { enum: ['builtin', 'upload'] }).notNull(),
  /** sha256 of the canonical JSONL of all splits: the same content is stored once. */
  contentHash: text('content_hash').notNull(),
  labels: jsonb('labels').$type<string[]>().notNull(),
  /** Row counts per split; `outOfScope` counts the messages marked out_of_scope (validation and test), when there are some. */
  splits: jsonb('splits').$type<{ train: number; validation: number; test: number; outOfScope?: { validation: number; test: number }; replies?: boolean }>().notNull(),
  /** Artifact-store key of the dataset's folder (train.jsonl, validation.jsonl, test.jsonl, out-of-scope.json when it has some). */
  artifactKey: text('artifact_key').notNull(),
  createdAt: createdAt(),
}, (table) => [uniqueIndex('datasets_content_hash_idx').on(table.contentHash)])

export const benchmarks = pgTable('benchmarks', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  datasetId: text('dataset_id').notNull().references(() => datasets.id),
  /** The validated request: arms, protocol, constraints. */
  spec: jsonb('spec').$type<BenchmarkSpec>().notNull(),
  status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }).notNull().default('queued'),
  idempotencyKey: text('idempotency_key'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (table) => [uniqueIndex('benchmarks_idempotency_key_idx').on(table.idempotencyKey), index('benchmarks_created_at_idx').on(table.createdAt)])

export const jobs = pgTable('jobs', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: JOB_KINDS }).notNull(),
  status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }).notNull().default('queued'),
  /** Which queue runs it: the local runner or AWS Batch. */
  queue: text('queue', { enum: ['local', 'batch'] }).notNull(),
  /** The AWS Batch job id (or the local runner's handle). */
  externalId: text('external_id'),
  benchmarkId: text('benchmark_id').references(() => benchmarks.id),
  /** One run per array child, in array-index order. */
  runIds: jsonb('run_ids').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  arraySize: integer('array_size').notNull().default(1),
  timeoutSeconds: integer('timeout_seconds').notNull(),
  attempts: integer('attempts').notNull().default(1),
  statusReason: text('status_reason'),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (table) => [index('jobs_status_idx').on(table.status), index('jobs_benchmark_idx').on(table.benchmarkId)])

export const runs = pgTable('runs', {
  id: text('id').primaryKey(),
  benchmarkId: text('benchmark_id').notNull().references(() => benchmarks.id),
  /** Position in the benchmark's plan: stable ordering for tables and array indexes. */
  ordinal: integer('ordinal').notNull(),
  /** A PEFT method (lora, full, …) or a baseline (random, majority, tfidf-logreg). */
  method: text('method').notNull(),
  /** The full resolved configuration of this run (hyperparameters, protocol, seed). */
  config: jsonb('config').$type<RunConfig>().notNull(),
  seed: integer('seed').notNull(),
  status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }).notNull().default('queued'),
  jobId: text('job_id').references(() => jobs.id),
  /** Summary metrics written at the end: accuracy, macroF1, latency, memory, time, … */
  summary: jsonb('summary').$type<RunSummary>(),
  /** Where it ran: backend, hardware, versions, code version, data hash. */
  environment: jsonb('environment').$type<RunEnvironment>(),
  error: text('error'),
  attempt: integer('attempt').notNull().default(0),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (table) => [uniqueIndex('runs_benchmark_ordinal_idx').on(table.benchmarkId, table.ordinal), index('runs_job_idx').on(table.jobId)])

/**
 * Time series of a run: loss per step, metrics per epoch. One point per (run, name,
 * step, epoch): a resumed attempt that reports a step again adds nothing.
 */
export const runMetrics = pgTable('run_metrics', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  step: integer('step'),
  epoch: integer('epoch'),
  value: doublePrecision('value').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
}, (table) => [
  index('run_metrics_run_name_idx').on(table.runId, table.name, table.id),
  unique('run_metrics_point_key').on(table.runId, table.name, table.step, table.epoch).nullsNotDistinct(),
])

/** Files a run produced (adapter, head, model, logs), by artifact-store key. */
export const runArtifacts = pgTable('run_artifacts', {
  runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  key: text('key').notNull(),
  bytes: integer('bytes').notNull(),
  sha256: text('sha256').notNull(),
  createdAt: createdAt(),
}, (table) => [uniqueIndex('run_artifacts_run_name_idx').on(table.runId, table.name)])

/** What a deployment serves with: the out-of-scope threshold, how many intents to return, and the rest of the serving knobs. */
export interface DeploymentSettings {
  outOfScopeThreshold: number
  topK: number
  /** The false-reject rate the threshold was calibrated for (when it was calibrated, not set). */
  targetFalseRejectRate: number
}

/**
 * Which run a stage serves, with its history: one `active` row per stage; a new
 * deployment supersedes it and a rollback reactivates `previous_deployment_id`.
 */
export const deployments = pgTable('deployments', {
  id: text('id').primaryKey(),
  /** The serving stage the chatbot backend calls (`prod`, `staging`, …). */
  stage: text('stage').notNull(),
  runId: text('run_id').notNull().references(() => runs.id),
  /** sha256 of the adapter (or whole-model) weights: with the run id, the model version a classification names. */
  modelSha256: text('model_sha256').notNull(),
  settings: jsonb('settings').$type<DeploymentSettings>().notNull(),
  /** The out-of-scope calibration on the run's validation split: threshold, trade-off curve, assumption. */
  calibration: jsonb('calibration').$type<Record<string, unknown>>().notNull(),
  /** The smoke check that passed before the switch: texts checked and the load time. */
  smokeCheck: jsonb('smoke_check').$type<Record<string, unknown>>().notNull(),
  status: text('status', { enum: ['active', 'superseded', 'rolled-back'] }).notNull(),
  previousDeploymentId: text('previous_deployment_id'),
  createdAt: createdAt(),
}, (table) => [
  uniqueIndex('deployments_one_active_per_stage_idx').on(table.stage).where(sql`${table.status} = 'active'`),
  index('deployments_stage_created_idx').on(table.stage, table.createdAt),
])

/**
 * Keys for the classify endpoint: only the sha256 of a key is kept, each scoped to one
 * stage, with the key's first characters to recognise it in a list. A key works until
 * it is revoked or its `expires_at` (if any) has passed.
 */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  stage: text('stage').notNull(),
  keyHash: text('key_hash').notNull(),
  /** `bb_` and the key's next 8 characters (null for keys made before it was kept). */
  keyPrefix: text('key_prefix'),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (table) => [uniqueIndex('api_keys_key_hash_idx').on(table.keyHash), index('api_keys_stage_created_idx').on(table.stage, table.createdAt)])
