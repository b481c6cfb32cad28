/**
 * `work` over every item with at most `limit` calls in flight; results in item order.
 * The first failure stops new calls from starting and rejects once the calls in flight settle.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++
      try {
        results[index] = await work(items[index]!, index)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  const rejection = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
  if (rejection) throw rejection.reason
  return results
}
