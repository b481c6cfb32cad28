/**
 * Semantic similarity of generated and reference texts: the cosine of their sentence
 * embeddings, averaged over pairs (the usual "SemScore"/sentence-transformers
 * `cos_sim` reading). The embedder is passed in (the engine's SentenceEncoder in a
 * run), because this package sits below the engine and must not load models.
 */

/** Row-major vectors, one row per text (the engine's SentenceEmbeddings). */
export interface EmbeddingMatrix {
  rows: number
  columns: number
  values: Float32Array | Float64Array
}

export type TextEmbedder = (texts: readonly string[]) => EmbeddingMatrix | Promise<EmbeddingMatrix>

export interface SemanticSimilarityResult {
  /** Mean cosine over pairs, in [-1, 1]. */
  meanCosine: number
  /** Cosine per pair, in the order given. */
  perPair: number[]
}

/** Cosine of two vectors; 0 when either is all zeros (no direction to compare). */
export function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  if (left.length !== right.length) throw new Error(`cosine: vectors of length ${left.length} and ${right.length}`)
  let dot = 0
  let leftNorm = 0
  let rightNorm = 0
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!
    leftNorm += left[index]! * left[index]!
    rightNorm += right[index]! * right[index]!
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm)
}

export async function semanticSimilarity(predictions: readonly string[], references: readonly string[], embed: TextEmbedder): Promise<SemanticSimilarityResult> {
  if (predictions.length !== references.length) throw new Error(`semanticSimilarity: ${predictions.length} predictions but ${references.length} references`)
  if (predictions.length === 0) return { meanCosine: 0, perPair: [] }
  // One call for both sides, so that the embedder batches them together.
  const embeddings = await embed([...predictions, ...references])
  if (embeddings.rows !== predictions.length * 2) throw new Error(`semanticSimilarity: the embedder returned ${embeddings.rows} rows for ${predictions.length * 2} texts`)
  const row = (index: number) => embeddings.values.subarray(index * embeddings.columns, (index + 1) * embeddings.columns)
  const perPair = predictions.map((_, index) => cosine(row(index), row(predictions.length + index)))
  return { meanCosine: perPair.reduce((sum, value) => sum + value, 0) / perPair.length, perPair }
}
