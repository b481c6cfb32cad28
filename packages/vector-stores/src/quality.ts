import type { Match } from './types'

/**
 * The intent a query's k nearest neighbours vote for: the most frequent label among
 * the first k matches; a tie goes to the label with the larger summed score, then to
 * the label of the nearest match among the tied (so k = 1 is plain nearest neighbour).
 */
export function knnVote(matches: readonly Match[], k: number): string | undefined {
  const votes = new Map<string, { count: number; score: number; first: number }>()
  matches.slice(0, k).forEach((match, rank) => {
    const vote = votes.get(match.label) ?? { count: 0, score: 0, first: rank }
    vote.count++
    vote.score += match.score
    votes.set(match.label, vote)
  })
  let best: [string, { count: number; score: number; first: number }] | undefined
  for (const entry of votes) {
    const [, vote] = entry
    if (!best || vote.count > best[1].count || (vote.count === best[1].count && (vote.score > best[1].score || (vote.score === best[1].score && vote.first < best[1].first)))) best = entry
  }
  return best?.[0]
}

/** kNN intent accuracy at each k: the share of queries whose neighbours' vote is the query's own label. */
export function knnAccuracy(results: readonly { label: string; matches: readonly Match[] }[], ks: readonly number[]): Record<number, number> {
  return Object.fromEntries(ks.map((k) => [k, results.length === 0 ? 0 : results.filter(({ label, matches }) => knnVote(matches, k) === label).length / results.length]))
}

/**
 * Recall@k against exact search: the share of each query's true k nearest (by id)
 * that the store returned in its first k, averaged over queries. Exact search scores
 * 1.0 by definition; ties at the k-th distance can cost an exact store a little.
 */
export function recallAtK(approximate: readonly (readonly Match[])[], exact: readonly (readonly Match[])[], k: number): number {
  if (approximate.length !== exact.length) throw new Error(`recall@${k}: ${approximate.length} approximate results for ${exact.length} exact ones`)
  if (exact.length === 0) return 0
  let sum = 0
  approximate.forEach((matches, i) => {
    const truth = exact[i]!.slice(0, k)
    if (truth.length === 0) return
    const found = new Set(matches.slice(0, k).map((match) => match.id))
    sum += truth.filter((match) => found.has(match.id)).length / truth.length
  })
  return sum / exact.length
}
