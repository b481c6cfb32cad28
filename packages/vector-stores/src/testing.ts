import { seededRandom } from '@bankbench/data'
import type { VectorRecord } from './types'

/**
 * Labelled vectors in clusters, one intent per cluster, seeded: what the contract
 * suite and the overhead benchmark load. Points are a cluster centre plus noise, so
 * nearest neighbours share labels as real sentence embeddings mostly do, and
 * distances are not all alike (an ANN index on uniform noise is a poor test).
 */
export function clusteredRecords(options: { count: number; dimension: number; clusters: number; seed: number; spread?: number }): VectorRecord[] {
  const random = seededRandom(options.seed)
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const centres = Array.from({ length: options.clusters }, () => Float32Array.from({ length: options.dimension }, gaussian))
  const spread = options.spread ?? 0.5
  return Array.from({ length: options.count }, (_, i) => {
    const cluster = i % options.clusters
    const vector = Float32Array.from(centres[cluster]!, (value) => value + spread * gaussian())
    return { id: `r${i}`, label: `intent_${cluster}`, vector }
  })
}
export { startPineconeProtocolServer, type PineconeProtocolServer } from './remote/pinecone-protocol-server'
export { startWeaviateProtocolServer, WEAVIATE_PROTOCOL_VERSION, type WeaviateProtocolServer } from './remote/weaviate-protocol-server'
export { startMilvusProtocolServer, type MilvusProtocolServer } from './remote/milvus-protocol-server'
