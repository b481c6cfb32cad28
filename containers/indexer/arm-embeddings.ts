/**
 * The opening the indexer's embedding jobs share (index, vector-bench, embed), kept in one
 * place so that they skip, reuse and log alike: a remote store (Pinecone, Weaviate, Milvus)
 * whose endpoint or key is not set is skipped before any embedding work, the run's result
 * saying which setting is missing (`{ skipped: '<store>: <why>' }`, the run still succeeds);
 * otherwise the arm's `encoder` setting is resolved (encoder.ts) and the dataset's embedding
 * set read from the artifact store, or encoded and stored (`ensureEmbeddings`), and the run's
 * log says which. The hybrid job opens differently (it finds its classifier run first, whose
 * encoder it may use) and keeps its own opening.
 */
import type { RunContext } from '@bankbench/core'
import { isRemoteStore, unavailable, type StoreName } from '@bankbench/vector-stores'
import { ensureEmbeddings, type EmbedResult } from '@bankbench/vector-stores/embeddings'
import { encoderSpecOf } from './encoder'

export interface ArmEmbeddingsOptions {
  /** `base`, `tfidf-svd` or `run:<run id>` (encoder.ts). */
  encoder: string
  /** The store the job fills: a remote one whose settings are missing skips the run. None for the embed job. */
  store?: StoreName
  /** The log line saying whether the set was reused or made; by default `reusing|made <key>: <model>`. */
  describe?: (embedded: EmbedResult) => string
}

/** What a run whose remote store is not configured returns, the run's result as it is stored. */
export interface SkippedArm { skipped: string }

type ArmContext = Pick<RunContext, 'db' | 'run' | 'store' | 'dataset' | 'datasetHash' | 'log'>

export async function armEmbeddings(context: ArmContext, options: ArmEmbeddingsOptions & { store: StoreName }): Promise<EmbedResult | SkippedArm>
export async function armEmbeddings(context: ArmContext, options: ArmEmbeddingsOptions & { store?: undefined }): Promise<EmbedResult>
export async function armEmbeddings(context: ArmContext, options: ArmEmbeddingsOptions): Promise<EmbedResult | SkippedArm> {
  if (options.store) {
    const why = unavailable(options.store)
    if (why && isRemoteStore(options.store)) {
      context.log(`skipped: ${options.store}: ${why}`)
      return { skipped: `${options.store}: ${why}` }
    }
  }
  const { run, dataset, store, db } = context
  const encoder = await encoderSpecOf(db, run, options.encoder)
  const embedded = await ensureEmbeddings({ store, db, dataset, datasetHash: context.datasetHash, encoder, log: context.log })
  context.log((options.describe ?? reusedOrMade)(embedded))
  return embedded
}

function reusedOrMade(embedded: EmbedResult): string {
  return `${embedded.reused ? 'reusing' : 'made'} ${embedded.key}: ${embedded.set.model}`
}
