import type { ComparisonRow, ParetoAxis, ParetoFront, ParetoPoint } from './types'

/**
 * The runs on the accuracy/cost frontier: a run is dropped only when another is at
 * least as good on both axes and strictly better on one. Runs with identical
 * figures do not dominate each other, so ties all stay on the front. Runs missing
 * either figure are left out. Points are sorted by cost, then accuracy (best first).
 */
export function paretoFront(rows: readonly ComparisonRow[], x: ParetoAxis): ParetoFront {
  const points: ParetoPoint[] = []
  for (const row of rows) {
    const cost = row[x]
    if (row.status !== 'succeeded' || cost === null || row.accuracy === null) continue
    points.push({ runId: row.runId, method: row.method, configLabel: row.configLabel, x: cost, y: row.accuracy })
  }
  const front = points.filter((point) => !points.some((other) => dominates(other, point)))
  front.sort((a, b) => a.x - b.x || b.y - a.y)
  return { x, y: 'accuracy', points: front }
}

function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  return a.x <= b.x && a.y >= b.y && (a.x < b.x || a.y > b.y)
}
