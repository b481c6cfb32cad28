/**
 * The two database reads every classify request makes (its API key, its stage's
 * active deployment), remembered for a few seconds per process. They cost more
 * server CPU than the model itself (bench/load-classify.ts: ~1.2 of ~1.8 ms per
 * request on the embedded database). A deploy or rollback in the same process
 * forgets its stage at once; another process (a warm inference container) sees it
 * within `ttlMs`. The same holds for a revoked key: refused at once by the process
 * that revoked it, within `ttlMs` by the others. Expiry is checked on every request.
 *
 * Unknown keys are remembered too, for `unknownKeyTtlMs`: a flood of made-up `bb_`
 * keys costs one database read per distinct key and period, and repeating one costs
 * none. Both memories are bounded (least recently used entries go first), so a flood
 * of distinct keys cannot grow the process. Other failures (the database is down)
 * are never remembered.
 */
import {
  assertApiKeyActive, getActiveDeployment, hashApiKey, lookupApiKey, ProblemError, type ApiKeyRow, type Database, type DeploymentRow,
} from '@bankbench/core'

/** How long a looked-up key or active deployment is reused: the delay before another container serves a new deployment. */
export const SERVING_LOOKUP_TTL_MS = 5_000
/** How long a key the database does not know is refused without asking it again. */
export const UNKNOWN_KEY_TTL_MS = 5_000
/** At most this many keys are remembered, known and unknown each (about 100 bytes of digest and bookkeeping per entry). */
export const MAX_REMEMBERED_KEYS = 10_000

export interface ServingLookupOptions {
  unknownKeyTtlMs?: number
  maxRememberedKeys?: number
  /** The clock (ms), for tests. */
  now?: () => number
}

export class ServingLookups {
  private readonly apiKeys: TimedLru<Promise<ApiKeyRow>>
  private readonly unknownKeys: TimedLru<ProblemError>
  private readonly deployments: TimedLru<Promise<DeploymentRow>>
  private readonly unknownKeyTtlMs: number
  private readonly now: () => number

  constructor(private readonly ttlMs = SERVING_LOOKUP_TTL_MS, options: ServingLookupOptions = {}) {
    const maxKeys = options.maxRememberedKeys ?? MAX_REMEMBERED_KEYS
    this.apiKeys = new TimedLru(maxKeys)
    this.unknownKeys = new TimedLru(maxKeys)
    // Stages are few and named by operators, not by callers: the bound only guards against surprises.
    this.deployments = new TimedLru(1_000)
    this.unknownKeyTtlMs = options.unknownKeyTtlMs ?? UNKNOWN_KEY_TTL_MS
    this.now = options.now ?? (() => performance.now())
  }

  /** The row of a key (`apiKeyFromAuthorization`) that works now; a 401 problem when unknown, revoked or expired. */
  async apiKey(db: Database, key: string): Promise<ApiKeyRow> {
    // Remembered under its digest: the process keeps no plain key longer than the request.
    const digest = hashApiKey(key)
    const now = this.now()
    const unknown = this.unknownKeys.get(digest, now)
    if (unknown) throw unknown
    let row = this.apiKeys.get(digest, now)
    if (!row) {
      row = lookupApiKey(db, key)
      this.apiKeys.set(digest, row, now + this.ttlMs)
      row.catch((error: unknown) => {
        this.apiKeys.delete(digest)
        if (error instanceof ProblemError && error.status === 401) this.unknownKeys.set(digest, error, this.now() + this.unknownKeyTtlMs)
      })
    }
    return assertApiKeyActive(await row)
  }

  /** The stage's active deployment (a 404 problem when nothing is deployed). */
  activeDeployment(db: Database, stage: string): Promise<DeploymentRow> {
    const now = this.now()
    const remembered = this.deployments.get(stage, now)
    if (remembered) return remembered
    const deployment = getActiveDeployment(db, stage)
    this.deployments.set(stage, deployment, now + this.ttlMs)
    deployment.catch(() => this.deployments.delete(stage))
    return deployment
  }

  /** After a deploy or rollback: the next request reads the stage's deployment again. */
  forgetStage(stage: string): void {
    this.deployments.delete(stage)
  }

  /** After a key is revoked: the next request of every key reads it again. */
  forgetApiKeys(): void {
    this.apiKeys.clear()
  }
}

/** A map whose entries expire, holding at most `maxEntries`: the least recently used goes first. */
class TimedLru<Value> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, { value: Value; expires: number }>()

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): Value | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    if (entry.expires <= now) return undefined
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: string, value: Value, expires: number): void {
    this.entries.delete(key)
    this.entries.set(key, { value, expires })
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }
}
