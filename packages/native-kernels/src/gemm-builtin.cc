// A blocked, packed single-precision matrix product in the style of BLIS and
// OpenBLAS, for machines without OpenBLAS: only a C++ compiler is needed.
//
// c (m x n) is computed in blocks: kKc-deep slices of op(a) and op(b) are copied
// ("packed") into contiguous panels, zero-padded to whole register tiles, so that
// the innermost loop -- the micro-kernel -- streams both operands from cache in the
// order it reads them and keeps an mr x nr tile of c in vector registers. The
// micro-kernel is chosen once, by what the CPU supports at run time (AVX-512, AVX2
// with FMA, else portable vector extensions that compile to SSE or NEON), so one
// build runs on any machine of its architecture.
#include <algorithm>
#include <vector>

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NATIVE_KERNELS_X86 1
#endif

namespace native_kernels {
namespace {

// Depth of a packed slice: mr x kKc of a and kKc x nr of b stay in L1 while a tile runs.
constexpr int64_t kKc = 256;
// Rows of op(a) packed at once (a multiple of every kernel's mr; ~100 KB, in L2).
constexpr int64_t kMc = 96;
// Columns of op(b) packed at once (a multiple of every kernel's nr).
constexpr int64_t kNc = 2048;

// tile (mr x nr, row-major) = sum over p < kc of a[p * mr + i] * b[p * nr + j]:
// a and b are packed panels, mr and nr fixed per kernel.
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* tile);

struct Kernel {
  int64_t mr, nr;
  MicroKernel run;
  const char* description;
};

#ifdef NATIVE_KERNELS_X86
// 6 rows x 32 columns: 12 accumulators of the 32 zmm registers; per step of p, 2 loads
// of b, 6 broadcasts of a and 12 fused multiply-adds.
__attribute__((target("avx512f"))) void KernelAvx512(int64_t kc, const float* a, const float* b, float* tile) {
  __m512 c[6][2];
  for (auto& row : c) row[0] = row[1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; p++, a += 6, b += 32) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    for (int i = 0; i < 6; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      c[i][0] = _mm512_fmadd_ps(ai, b0, c[i][0]);
      c[i][1] = _mm512_fmadd_ps(ai, b1, c[i][1]);
    }
  }
  for (int i = 0; i < 6; i++) {
    _mm512_storeu_ps(tile + i * 32, c[i][0]);
    _mm512_storeu_ps(tile + i * 32 + 16, c[i][1]);
  }
}

// 6 rows x 16 columns: 12 accumulators of the 16 ymm registers (the classic Haswell tile).
__attribute__((target("avx2,fma"))) void KernelAvx2(int64_t kc, const float* a, const float* b, float* tile) {
  __m256 c[6][2];
  for (auto& row : c) row[0] = row[1] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; p++, a += 6, b += 16) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    for (int i = 0; i < 6; i++) {
      const __m256 ai = _mm256_set1_ps(a[i]);
      c[i][0] = _mm256_fmadd_ps(ai, b0, c[i][0]);
      c[i][1] = _mm256_fmadd_ps(ai, b1, c[i][1]);
    }
  }
  for (int i = 0; i < 6; i++) {
    _mm256_storeu_ps(tile + i * 16, c[i][0]);
    _mm256_storeu_ps(tile + i * 16 + 8, c[i][1]);
  }
}
#endif

// 6 rows x 8 columns in 4-wide vectors (GCC/Clang vector extensions): SSE on any
// x86-64, NEON on arm64. A multiply and an add, not fused: the addon builds with
// -ffp-contract=off so that its elementwise kernels match tfjs bit for bit.
typedef float Float4 __attribute__((vector_size(16)));

void KernelPortable(int64_t kc, const float* a, const float* b, float* tile) {
  Float4 c[6][2] = {};
  for (int64_t p = 0; p < kc; p++, a += 6, b += 8) {
    Float4 b0, b1;
    __builtin_memcpy(&b0, b, sizeof b0);
    __builtin_memcpy(&b1, b + 4, sizeof b1);
    for (int i = 0; i < 6; i++) {
      c[i][0] += a[i] * b0;
      c[i][1] += a[i] * b1;
    }
  }
  for (int i = 0; i < 6; i++) {
    __builtin_memcpy(tile + i * 8, &c[i][0], sizeof c[i][0]);
    __builtin_memcpy(tile + i * 8 + 4, &c[i][1], sizeof c[i][1]);
  }
}

Kernel ChooseKernel() {
#ifdef NATIVE_KERNELS_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {6, 32, KernelAvx512, "built-in blocked sgemm (AVX-512 micro-kernel, 6x32)"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {6, 16, KernelAvx2, "built-in blocked sgemm (AVX2+FMA micro-kernel, 6x16)"};
  }
#endif
  return {6, 8, KernelPortable, "built-in blocked sgemm (portable 4-wide micro-kernel, 6x8)"};
}

const Kernel& TheKernel() {
  static const Kernel kernel = ChooseKernel();
  return kernel;
}

// op(a) rows [row0, row0 + rows) and depths [p0, p0 + kc), as panels of mr rows:
// panel r holds element (i, p) at r * mr * kc + p * mr + i; rows past the end are 0.
void PackA(bool transposeA, const float* a, int64_t lda, int64_t row0, int64_t rows, int64_t p0, int64_t kc,
           int64_t mr, float* packed) {
  for (int64_t panel = 0; panel < rows; panel += mr, packed += mr * kc) {
    const int64_t valid = std::min(mr, rows - panel);
    if (transposeA) {
      // op(a)(i, p) = a[p * lda + i]: a panel's rows lie side by side in each stored row.
      for (int64_t p = 0; p < kc; p++) {
        const float* source = a + (p0 + p) * lda + row0 + panel;
        float* target = packed + p * mr;
        for (int64_t i = 0; i < valid; i++) target[i] = source[i];
        for (int64_t i = valid; i < mr; i++) target[i] = 0.0f;
      }
    } else {
      for (int64_t i = 0; i < mr; i++) {
        if (i >= valid) {
          for (int64_t p = 0; p < kc; p++) packed[p * mr + i] = 0.0f;
          continue;
        }
        const float* source = a + (row0 + panel + i) * lda + p0;
        for (int64_t p = 0; p < kc; p++) packed[p * mr + i] = source[p];
      }
    }
  }
}

// op(b) depths [p0, p0 + kc) and columns [column0, column0 + columns), as panels of nr
// columns: panel s holds element (p, j) at s * nr * kc + p * nr + j; columns past the end are 0.
void PackB(bool transposeB, const float* b, int64_t ldb, int64_t p0, int64_t kc, int64_t column0, int64_t columns,
           int64_t nr, float* packed) {
  for (int64_t panel = 0; panel < columns; panel += nr, packed += nr * kc) {
    const int64_t valid = std::min(nr, columns - panel);
    if (transposeB) {
      // op(b)(p, j) = b[j * ldb + p]: each column of the panel is a stored row.
      for (int64_t j = 0; j < nr; j++) {
        if (j >= valid) {
          for (int64_t p = 0; p < kc; p++) packed[p * nr + j] = 0.0f;
          continue;
        }
        const float* source = b + (column0 + panel + j) * ldb + p0;
        for (int64_t p = 0; p < kc; p++) packed[p * nr + j] = source[p];
      }
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float* source = b + (p0 + p) * ldb + column0 + panel;
        float* target = packed + p * nr;
        for (int64_t j = 0; j < valid; j++) target[j] = source[j];
        for (int64_t j = valid; j < nr; j++) target[j] = 0.0f;
      }
    }
  }
}

// c = op(a) x op(b) + beta c as in gemm.h, with c's element (i, j) at c[i * ldc + j],
// or at c[j * ldc + i] when cTransposed.
void BlockedGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc, bool cTransposed) {
  const Kernel& kernel = TheKernel();
  const int64_t mr = kernel.mr, nr = kernel.nr;
  // Per thread: the pool's threads each run their own part of a product.
  thread_local std::vector<float> packedA, packedB, tile;
  const int64_t mcMax = std::min(kMc, (m + mr - 1) / mr * mr), ncMax = std::min(kNc, (n + nr - 1) / nr * nr);
  const int64_t kcMax = std::min(kKc, k);
  packedA.resize(static_cast<size_t>(mcMax * kcMax));
  packedB.resize(static_cast<size_t>(ncMax * kcMax));
  tile.resize(static_cast<size_t>(mr * nr));
  // c's element (i, j) is rowStride * i + columnStride * j from c.
  const int64_t rowStride = cTransposed ? 1 : ldc, columnStride = cTransposed ? ldc : 1;

  for (int64_t j0 = 0; j0 < n; j0 += kNc) {
    const int64_t nc = std::min(kNc, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKc) {
      const int64_t kc = std::min(kKc, k - p0);
      // The first slice writes c (scaled by beta), later ones add onto it.
      const bool overwrite = p0 == 0 && beta == 0.0f;
      const bool scale = p0 == 0 && beta != 0.0f && beta != 1.0f;
      PackB(transposeB, b, ldb, p0, kc, j0, nc, nr, packedB.data());
      for (int64_t i0 = 0; i0 < m; i0 += kMc) {
        const int64_t mc = std::min(kMc, m - i0);
        PackA(transposeA, a, lda, i0, mc, p0, kc, mr, packedA.data());
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t columns = std::min(nr, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int64_t rows = std::min(mr, mc - ir);
            kernel.run(kc, packedA.data() + ir * kc, packedB.data() + jr * kc, tile.data());
            float* target = c + (i0 + ir) * rowStride + (j0 + jr) * columnStride;
            for (int64_t i = 0; i < rows; i++) {
              const float* source = tile.data() + i * nr;
              float* row = target + i * rowStride;
              for (int64_t j = 0; j < columns; j++) {
                float& element = row[j * columnStride];
                element = overwrite ? source[j] : (scale ? beta * element : element) + source[j];
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace

void BuiltinGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; i++) {
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    }
    return;
  }
  // A narrow product (LoRA's rank-8 side, say) would waste most of each nr-wide tile on
  // zero padding; computed as its transpose, cᵀ = op(b)ᵀ op(a)ᵀ, the narrow side is
  // cut by mr instead. op(b)ᵀ is b read with the opposite transpose flag, likewise a.
  if (n < TheKernel().nr && m > n) {
    BlockedGemm(!transposeB, !transposeA, n, m, k, b, ldb, a, lda, beta, c, ldc, true);
  } else {
    BlockedGemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, beta, c, ldc, false);
  }
}

const char* BuiltinGemmDescription() { return TheKernel().description; }

}  // namespace native_kernels
