/**
 * The two database reads every classify request makes (its API key, its stage's
 * active deployment), remembered for a few seconds per process. They cost more
 * server CPU than the model itself (bench/load-classify.ts: ~1.2 of ~1.8 ms per
 * request on the embedded database). A deploy or rollback in the same process
 * forgets its stage at once; another process (a warm inference container) sees it
 * within `ttlMs`. Failures are never remembered: an unknown key is refused afresh.
 */
import { findApiKey, getActiveDeployment, hashApiKey, type ApiKeyRow, type Database, type DeploymentRow } from '@bankbench/core'

/** How long a looked-up key or active deployment is reused: the delay before another container serves a new deployment. */
export const SERVING_LOOKUP_TTL_MS = 5_000

export class ServingLookups {
  private readonly apiKeys = new TimedMemo<ApiKeyRow>()
  private readonly deployments = new TimedMemo<DeploymentRow>()

  constructor(private readonly ttlMs = SERVING_LOOKUP_TTL_MS) {}

  /** The row of a key (`apiKeyFromAuthorization`), a 401 problem when unknown. */
  apiKey(db: Database, key: string): Promise<ApiKeyRow> {
    // Remembered under its digest: the process keeps no plain key longer than the request.
    return this.apiKeys.get(hashApiKey(key), this.ttlMs, () => findApiKey(db, key))
  }

  /** The stage's active deployment (a 404 problem when nothing is deployed). */
  activeDeployment(db: Database, stage: string): Promise<DeploymentRow> {
    return this.deployments.get(stage, this.ttlMs, () => getActiveDeployment(db, stage))
  }

  /** After a deploy or rollback: the next request reads the stage's deployment again. */
  forgetStage(stage: string): void {
    this.deployments.delete(stage)
  }
}

class TimedMemo<Value> {
  private readonly entries = new Map<string, { value: Promise<Value>; expires: number }>()

  get(key: string, ttlMs: number, load: () => Promise<Value>): Promise<Value> {
    const now = performance.now()
    const entry = this.entries.get(key)
    if (entry && entry.expires > now) return entry.value
    const value = load()
    this.entries.set(key, { value, expires: now + ttlMs })
    value.catch(() => this.entries.delete(key))
    return value
  }

  delete(key: string): void {
    this.entries.delete(key)
  }
}
