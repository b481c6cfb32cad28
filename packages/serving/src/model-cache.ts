/**
 * Models stay loaded for the life of the process (a warm Lambda container): the
 * first request for a run pays the load (the cold start, measured here), every later
 * one reuses it. At most `maxModels` stay (the active deployment and the one a
 * rollback would return to); the least recently used is disposed.
 */
import type { ArtifactStore, Database } from '@bankbench/core'
import { loadServedModel, type ServedModel } from './served-model'

export interface CachedModel {
  model: ServedModel
  /** How long loading took (artifact reads, building the model, merging LoRA). */
  loadMs: number
  /** True for the call that loaded it: its latency includes the load. */
  coldStart: boolean
}

export class ModelCache {
  private readonly entries = new Map<string, Promise<{ model: ServedModel; loadMs: number }>>()

  constructor(private readonly options: { maxModels?: number } = {}) {}

  async get(db: Database, store: ArtifactStore, runId: string): Promise<CachedModel> {
    const cached = this.entries.get(runId)
    if (cached) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(runId)
      this.entries.set(runId, cached)
      return { ...(await cached), coldStart: false }
    }
    const loading = timedLoad(db, store, runId)
    this.entries.set(runId, loading)
    loading.catch(() => this.entries.delete(runId))
    this.evict()
    return { ...(await loading), coldStart: true }
  }

  /** The load time of a run's model if this process has it loaded, else null. */
  async loadedMs(runId: string): Promise<number | null> {
    const cached = this.entries.get(runId)
    return cached ? (await cached.catch(() => null))?.loadMs ?? null : null
  }

  private evict(): void {
    const maxModels = this.options.maxModels ?? 2
    for (const [runId, entry] of this.entries) {
      if (this.entries.size <= maxModels) break
      this.entries.delete(runId)
      entry.then(({ model }) => model.predictor.dispose(), () => {})
    }
  }
}

async function timedLoad(db: Database, store: ArtifactStore, runId: string) {
  const started = performance.now()
  const model = await loadServedModel(db, store, runId)
  return { model, loadMs: performance.now() - started }
}
