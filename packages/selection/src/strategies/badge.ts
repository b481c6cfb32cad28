import { seededRandom } from '@bankbench/data'
import { required, row, unlabeledIndices } from '../pool'
import type { SelectionStrategy, SparseRows } from '../types'

/**
 * BADGE (Ash et al. 2020, "Deep Batch Active Learning by Diverse, Uncertain Gradient
 * Lower Bounds"): each unlabelled row is represented by the gradient of the loss it
 * would have under the model's own predicted label ŷ, with respect to the last layer,
 *   g = (p − e_ŷ) ⊗ [x, 1]
 * (x the softmax head's input, 1 its bias), and the batch is k-means++ seeding over
 * those gradient embeddings: the row with the longest gradient first, then each next
 * row drawn with probability proportional to its squared distance to the nearest row
 * taken. A gradient's length is the model's uncertainty (a confident row has p ≈ e_ŷ and
 * a gradient near zero); the D² sampling spreads the batch, so two rows of one tight,
 * uncertain cluster are rarely both taken before the other uncertain regions.
 *
 * The gradient embeddings (classes × features wide: 77 × ~10,000 on TF-IDF) are never
 * built: the inner product of two outer products factorises,
 *   ⟨g_i, g_j⟩ = ((p_i − e_ŷi) · (p_j − e_ŷj)) · (x_i · x_j + 1),
 * so every distance k-means++ needs is exact from the probabilities and one sparse dot
 * product of head inputs.
 */
export const badge: SelectionStrategy = {
  name: 'badge',
  description: 'k-means++ seeding over the last layer\'s gradient embeddings under the predicted label: uncertain and diverse',
  needs: ['probabilities', 'headInputs'],
  defaults: {},
  select(request) {
    const probabilities = required(request.pool, 'probabilities', 'badge')
    const inputs = required(request.pool, 'headInputs', 'badge')
    if (inputs.rowCount !== request.pool.size) throw new Error(`the badge strategy got head inputs for ${inputs.rowCount} rows; the pool has ${request.pool.size}`)
    const candidates = unlabeledIndices(request)
    const count = Math.min(request.batchSize, candidates.length)
    if (count === 0) return []
    const embeddings = new GradientEmbeddings(probabilities, request.pool.classCount, inputs, candidates)
    const random = seededRandom(request.seed)
    const open = new Uint8Array(candidates.length).fill(1)
    // k-means++ as BADGE seeds it: the longest gradient first (ties to the lower index).
    let center = 0
    for (let c = 1; c < candidates.length; c++) if (embeddings.squaredNorm[c]! > embeddings.squaredNorm[center]!) center = c
    const taken = [center]
    open[center] = 0
    const nearest = new Float64Array(candidates.length).fill(Infinity)
    while (taken.length < count) {
      let total = 0
      for (let c = 0; c < candidates.length; c++) {
        if (!open[c]) continue
        const distance = embeddings.squaredDistance(c, center)
        if (distance < nearest[c]!) nearest[c] = distance
        total += nearest[c]!
      }
      center = total > 0 ? drawProportional(nearest, open, total, random()) : firstOpen(open)
      taken.push(center)
      open[center] = 0
    }
    return taken.map((c) => candidates[c]!)
  },
}

/** The candidate drawn with probability nearest[c] / total among the open ones. */
function drawProportional(nearest: Float64Array, open: Uint8Array, total: number, uniform: number): number {
  let target = uniform * total
  let last = -1
  for (let c = 0; c < nearest.length; c++) {
    if (!open[c]) continue
    last = c
    target -= nearest[c]!
    if (target < 0 && nearest[c]! > 0) return c
  }
  // Rounding left a sliver of the total: the last open candidate with mass takes it.
  for (let c = nearest.length - 1; c >= 0; c--) if (open[c] && nearest[c]! > 0) return c
  return last
}

/** Every remaining row sits on a row already taken (duplicates): fill the batch in index order. */
function firstOpen(open: Uint8Array): number {
  return open.indexOf(1)
}

/**
 * The candidates' gradient embeddings (p − e_ŷ) ⊗ [x, 1], held factorised: the
 * class-side vectors a = p − e_ŷ densely, the head inputs x as the sparse rows they are.
 */
export class GradientEmbeddings {
  /** Candidate c's a = p − e_ŷ, row-major over classes. */
  private readonly classSide: Float64Array
  /** ‖g_c‖² = ‖a_c‖² (‖x_c‖² + 1). */
  readonly squaredNorm: Float64Array
  private readonly dense: Float64Array
  private denseRow = -1

  constructor(probabilities: Float32Array, private readonly classCount: number, private readonly inputs: SparseRows, private readonly candidates: readonly number[]) {
    this.classSide = new Float64Array(candidates.length * classCount)
    this.squaredNorm = new Float64Array(candidates.length)
    this.dense = new Float64Array(inputs.columnCount)
    candidates.forEach((index, c) => {
      const p = row(probabilities, classCount, index)
      let predicted = 0
      for (let k = 1; k < classCount; k++) if (p[k]! > p[predicted]!) predicted = k
      let classSquares = 0
      for (let k = 0; k < classCount; k++) {
        const value = p[k]! - (k === predicted ? 1 : 0)
        this.classSide[c * classCount + k] = value
        classSquares += value * value
      }
      let inputSquares = 0
      for (let entry = inputs.rowStarts[index]!; entry < inputs.rowStarts[index + 1]!; entry++) inputSquares += inputs.values[entry]! ** 2
      this.squaredNorm[c] = classSquares * (inputSquares + 1)
    })
  }

  /** ⟨g_a, g_b⟩ for candidates a and b. */
  innerProduct(a: number, b: number): number {
    const { classCount, classSide, inputs } = this
    let classDot = 0
    for (let k = 0; k < classCount; k++) classDot += classSide[a * classCount + k]! * classSide[b * classCount + k]!
    if (classDot === 0) return 0
    // b's input row scattered densely once, then a sparse dot product per candidate a.
    if (this.denseRow !== b) {
      if (this.denseRow >= 0) this.scatter(this.denseRow, 0)
      this.scatter(b, 1)
      this.denseRow = b
    }
    const index = this.candidates[a]!
    let inputDot = 0
    for (let entry = inputs.rowStarts[index]!; entry < inputs.rowStarts[index + 1]!; entry++) inputDot += inputs.values[entry]! * this.dense[inputs.columns[entry]!]!
    return classDot * (inputDot + 1)
  }

  /** ‖g_a − g_b‖², never below 0 (rounding). */
  squaredDistance(a: number, b: number): number {
    if (a === b) return 0
    return Math.max(0, this.squaredNorm[a]! + this.squaredNorm[b]! - 2 * this.innerProduct(a, b))
  }

  /** Writes candidate c's input row into the dense buffer (scale 1), or clears it (scale 0). */
  private scatter(c: number, scale: number): void {
    const { inputs } = this
    const index = this.candidates[c]!
    for (let entry = inputs.rowStarts[index]!; entry < inputs.rowStarts[index + 1]!; entry++) this.dense[inputs.columns[entry]!] = scale * inputs.values[entry]!
  }
}
