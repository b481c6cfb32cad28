/**
 * A seed for one purpose at one point of a run, e.g. (run seed, epoch, "shuffle")
 * or (run seed, step, "dropout"): randomness keyed by position instead of drawn from
 * one running generator, so a resumed run replays exactly what it would have drawn.
 * The parts are mixed (murmur3-style finaliser) so nearby inputs give unrelated seeds.
 */
export function deriveSeed(...parts: number[]): number {
  let hash = 0x9e3779b9
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x85ebca6b)
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
    hash ^= hash >>> 16
  }
  return hash >>> 0
}
