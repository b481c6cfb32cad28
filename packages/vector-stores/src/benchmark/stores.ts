import { ChromaStore } from '../chroma'
import { startLocalChroma } from '../chroma-server'
import { ExactStore } from '../exact'
import { FaissStore, loadFaiss } from '../faiss'
import { LancedbStore } from '../lancedb'
import { pgliteVectorStore } from '../pgvector'
import type { VectorStore } from '../types'
import { UsearchStore } from '../usearch'

/** The stores that run on this machine, in process or as a local server the adapter starts. */
export const LOCAL_STORES = ['exact', 'faiss', 'usearch', 'pgvector', 'lancedb', 'chroma'] as const
export type LocalStoreName = (typeof LOCAL_STORES)[number]

export interface OpenedStore {
  store: VectorStore
  /** The process that holds the index when it is not this one (Chroma's server): its memory is measured there. */
  serverPid?: number
}

/** Why a store cannot run here, or undefined when it can. */
export function unavailable(name: LocalStoreName): string | undefined {
  if (name === 'faiss') {
    const faiss = loadFaiss()
    return 'reason' in faiss ? faiss.reason : undefined
  }
  return undefined
}

export async function openLocalStore(name: LocalStoreName): Promise<OpenedStore> {
  switch (name) {
    case 'exact': return { store: new ExactStore() }
    case 'faiss': return { store: new FaissStore() }
    case 'usearch': return { store: new UsearchStore() }
    case 'pgvector': return { store: await pgliteVectorStore() }
    case 'lancedb': return { store: new LancedbStore() }
    case 'chroma': {
      const server = await startLocalChroma()
      return { store: new ChromaStore(server, server.stop), serverPid: server.pid }
    }
  }
}
