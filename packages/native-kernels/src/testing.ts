/** What the addon's tests share: seeded inputs and the product they are checked against. */

/** Row-major op(a) x op(b) with plain loops, in float64. */
export function referenceProduct(a: Float32Array, b: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): Float64Array {
  const c = new Float64Array(m * n)
  for (let row = 0; row < m; row++) {
    for (let column = 0; column < n; column++) {
      let sum = 0
      for (let inner = 0; inner < k; inner++) {
        const aValue = transposeA ? a[inner * m + row]! : a[row * k + inner]!
        const bValue = transposeB ? b[column * k + inner]! : b[inner * n + column]!
        sum += aValue * bValue
      }
      c[row * n + column] = sum
    }
  }
  return c
}

/** Uniform in [-1, 1), from a seeded linear congruential generator. */
export function randomFloats(length: number, seed: number): Float32Array {
  let state = seed
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 1073741824 - 1
  })
}
