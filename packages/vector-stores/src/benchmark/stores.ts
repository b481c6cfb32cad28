import { setting, type Environment } from '@bankbench/settings'
import { ChromaStore } from '../chroma'
import { startLocalChroma } from '../chroma-server'
import { ExactStore } from '../exact'
import { FaissStore, loadFaiss } from '../faiss'
import { LancedbStore } from '../lancedb'
import { pgliteVectorStore } from '../pgvector'
import { MilvusStore, type MilvusStoreOptions } from '../remote/milvus'
import { PineconeStore, type PineconeStoreOptions } from '../remote/pinecone'
import { WeaviateStore, weaviateGrpcUrl, type WeaviateStoreOptions } from '../remote/weaviate'
import type { VectorStore } from '../types'
import { UsearchStore } from '../usearch'

/** The stores that run on this machine, in process or as a local server the adapter starts. */
export const LOCAL_STORES = ['exact', 'faiss', 'usearch', 'pgvector', 'lancedb', 'chroma'] as const
export type LocalStoreName = (typeof LOCAL_STORES)[number]

/**
 * The stores that run elsewhere (a managed service, or their Docker image on a machine
 * with Docker), reached through their official clients at the endpoint their settings
 * name: Pinecone (`PINECONE_API_KEY`), Weaviate (`WEAVIATE_URL`), Milvus (`MILVUS_URI`).
 */
export const REMOTE_STORES = ['pinecone', 'weaviate', 'milvus'] as const
export type RemoteStoreName = (typeof REMOTE_STORES)[number]

/** Every store a vector arm may name. */
export const STORES = [...LOCAL_STORES, ...REMOTE_STORES] as const
export type StoreName = (typeof STORES)[number]

export interface OpenedStore {
  store: VectorStore
  /** The process that holds the index when it is not this one (Chroma's server): its memory is measured there. */
  serverPid?: number
  /** The index lives on another machine: its memory cannot be measured from here. */
  remote?: boolean
}

export function isRemoteStore(name: StoreName): name is RemoteStoreName {
  return (REMOTE_STORES as readonly string[]).includes(name)
}

type RemoteOptions = { pinecone: PineconeStoreOptions; weaviate: WeaviateStoreOptions; milvus: MilvusStoreOptions }

/** A remote store's client options from its settings, or the setting that is missing. */
export function remoteStoreOptions<N extends RemoteStoreName>(name: N, env: Environment = process.env): { options: RemoteOptions[N] } | { missing: string } {
  switch (name) {
    case 'pinecone': {
      const apiKey = setting('PINECONE_API_KEY', env)
      if (!apiKey) return { missing: 'PINECONE_API_KEY' }
      const controllerHostUrl = setting('PINECONE_CONTROLLER_HOST', env)
      return { options: { apiKey, ...(controllerHostUrl ? { controllerHostUrl } : {}) } as RemoteOptions[N] }
    }
    case 'weaviate': {
      const httpUrl = setting('WEAVIATE_URL', env)
      if (!httpUrl) return { missing: 'WEAVIATE_URL' }
      const apiKey = setting('WEAVIATE_API_KEY', env)
      return { options: { httpUrl, grpcUrl: setting('WEAVIATE_GRPC_URL', env) ?? weaviateGrpcUrl(httpUrl), ...(apiKey ? { apiKey } : {}) } as RemoteOptions[N] }
    }
    case 'milvus': {
      const address = setting('MILVUS_URI', env)
      if (!address) return { missing: 'MILVUS_URI' }
      const token = setting('MILVUS_TOKEN', env)
      return { options: { address, ...(token ? { token } : {}) } as RemoteOptions[N] }
    }
  }
  throw new Error(`${String(name)} is not a remote store`)
}

/** Why a store cannot run here, or undefined when it can. */
export function unavailable(name: StoreName, env: Environment = process.env): string | undefined {
  if (name === 'faiss') {
    const faiss = loadFaiss()
    return 'reason' in faiss ? faiss.reason : undefined
  }
  if (isRemoteStore(name)) {
    const options = remoteStoreOptions(name, env)
    if ('missing' in options) return `${options.missing} is not set: ${name} arms run against the ${name} it names (containers/indexer/README.md, "The remote stores")`
  }
  return undefined
}

export async function openStore(name: StoreName, env: Environment = process.env): Promise<OpenedStore> {
  if (isRemoteStore(name)) {
    const found = remoteStoreOptions(name, env)
    if ('missing' in found) throw new Error(`${name}: ${found.missing} is not set`)
    switch (name) {
      case 'pinecone': return { store: new PineconeStore(found.options as PineconeStoreOptions), remote: true }
      case 'weaviate': return { store: new WeaviateStore(found.options as WeaviateStoreOptions), remote: true }
      case 'milvus': return { store: new MilvusStore(found.options as MilvusStoreOptions), remote: true }
    }
  }
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
  throw new Error(`unknown store ${String(name)}`)
}

/** A store that runs on this machine (the in-process libraries and Chroma's local server). */
export function openLocalStore(name: LocalStoreName): Promise<OpenedStore> {
  return openStore(name)
}
