// A blocked single-precision matrix product in the style of BLIS and OpenBLAS, for
// machines without OpenBLAS: only a C++ compiler is needed.
//
// c (m x n) is computed kKc-deep slice by slice. Each slice of op(b) is copied
// ("packed") into contiguous panels of nr columns, zero-padded to whole panels; then,
// for every block of mr rows of op(a) and every panel, the micro-kernel keeps an
// mr x nr tile of c in vector registers while it streams the panel and broadcasts
// op(a)'s elements straight from a (op(a)'s rows are read in place, only a last,
// partial block of rows is copied and zero-padded). The micro-kernels are chosen
// once, by what the CPU supports at run time (AVX-512, AVX2 with FMA, else portable
// vector extensions that compile to SSE or NEON), so one build runs on any machine of
// its architecture; each product then takes the narrowest panel that covers its
// columns, so LoRA's rank-8 products do not compute 24 zero columns out of 32.
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NATIVE_KERNELS_X86 1
#endif

namespace native_kernels {
namespace {

// Rows of a tile: 6 rows x 2 vectors = 12 accumulators, within AVX2's 16 registers.
constexpr int64_t kMr = 6;
// Depth of a slice: a 6 x kKc block of op(a) and a kKc x nr panel stay in L1 while a tile runs.
constexpr int64_t kKc = 256;
// Rows of op(a) one pass over the packed slice covers (kept in L2 while the panels go by).
constexpr int64_t kMc = 96;
// Columns of op(b) packed at once.
constexpr int64_t kNc = 2048;

// tile(i, j) (+)= sum over p < kc of a[i * aRow + p * aDepth] * b[p * nr + j] for
// i < kMr, j < nr: `a` is op(a) in place (or a padded copy), `b` a packed panel; the tile
// is written at c[i * ldc + j], added onto it when `accumulate`.
using MicroKernel = void (*)(int64_t kc, const float* a, int64_t aRow, int64_t aDepth, const float* b, float* c,
                             int64_t ldc, bool accumulate);

struct Kernel {
  int64_t nr;
  MicroKernel run;
};

// One micro-kernel body for every vector type: VECTORS vectors of WIDTH floats per row.
#define NATIVE_KERNELS_MICRO_KERNEL(NAME, ATTRIBUTES, VECTOR, WIDTH, VECTORS, LOAD, STORE, SET1, FMADD, ADD, ZERO) \
  ATTRIBUTES void NAME(int64_t kc, const float* a, int64_t aRow, int64_t aDepth, const float* b, float* c,          \
                       int64_t ldc, bool accumulate) {                                                              \
    VECTOR sum[kMr][VECTORS];                                                                                       \
    for (int64_t i = 0; i < kMr; i++)                                                                               \
      for (int v = 0; v < VECTORS; v++) sum[i][v] = ZERO();                                                         \
    for (int64_t p = 0; p < kc; p++, a += aDepth, b += WIDTH * VECTORS) {                                          \
      VECTOR column[VECTORS];                                                                                       \
      for (int v = 0; v < VECTORS; v++) column[v] = LOAD(b + v * WIDTH);                                            \
      for (int64_t i = 0; i < kMr; i++) {                                                                           \
        const VECTOR element = SET1(a[i * aRow]);                                                                   \
        for (int v = 0; v < VECTORS; v++) sum[i][v] = FMADD(element, column[v], sum[i][v]);                         \
      }                                                                                                             \
    }                                                                                                               \
    for (int64_t i = 0; i < kMr; i++) {                                                                             \
      for (int v = 0; v < VECTORS; v++) {                                                                           \
        float* target = c + i * ldc + v * WIDTH;                                                                    \
        STORE(target, accumulate ? ADD(LOAD(target), sum[i][v]) : sum[i][v]);                                       \
      }                                                                                                             \
    }                                                                                                               \
  }

#ifdef NATIVE_KERNELS_X86
#define NATIVE_KERNELS_AVX512 __attribute__((target("avx512f")))
#define NATIVE_KERNELS_AVX2 __attribute__((target("avx2,fma")))
NATIVE_KERNELS_MICRO_KERNEL(Avx512x32, NATIVE_KERNELS_AVX512, __m512, 16, 2, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps,
                            _mm512_fmadd_ps, _mm512_add_ps, _mm512_setzero_ps)
NATIVE_KERNELS_MICRO_KERNEL(Avx512x16, NATIVE_KERNELS_AVX512, __m512, 16, 1, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps,
                            _mm512_fmadd_ps, _mm512_add_ps, _mm512_setzero_ps)
NATIVE_KERNELS_MICRO_KERNEL(Avx2x16, NATIVE_KERNELS_AVX2, __m256, 8, 2, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
                            _mm256_fmadd_ps, _mm256_add_ps, _mm256_setzero_ps)
NATIVE_KERNELS_MICRO_KERNEL(Avx2x8, NATIVE_KERNELS_AVX2, __m256, 8, 1, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
                            _mm256_fmadd_ps, _mm256_add_ps, _mm256_setzero_ps)
#endif

// 4-wide vectors of GCC/Clang's vector extensions: SSE on any x86-64, NEON on arm64. A
// multiply and an add, not fused: the addon builds with -ffp-contract=off so that its
// elementwise kernels match tfjs bit for bit.
typedef float Float4 __attribute__((vector_size(16)));
inline Float4 LoadFloat4(const float* source) {
  Float4 value;
  __builtin_memcpy(&value, source, sizeof value);
  return value;
}
inline void StoreFloat4(float* target, Float4 value) { __builtin_memcpy(target, &value, sizeof value); }
inline Float4 SplatFloat4(float value) { return Float4{value, value, value, value}; }
inline Float4 MultiplyAddFloat4(Float4 a, Float4 b, Float4 c) { return a * b + c; }
inline Float4 AddFloat4(Float4 a, Float4 b) { return a + b; }
inline Float4 ZeroFloat4() { return Float4{}; }
NATIVE_KERNELS_MICRO_KERNEL(Portable8, , Float4, 4, 2, LoadFloat4, StoreFloat4, SplatFloat4, MultiplyAddFloat4, AddFloat4, ZeroFloat4)
NATIVE_KERNELS_MICRO_KERNEL(Portable4, , Float4, 4, 1, LoadFloat4, StoreFloat4, SplatFloat4, MultiplyAddFloat4, AddFloat4, ZeroFloat4)

// A family of micro-kernels, widest first, for one instruction set.
struct KernelSet {
  const char* name;
  std::vector<Kernel> kernels;
  const char* description;
};

// The sets this CPU can run, fastest first (checked once, at run time).
std::vector<KernelSet> SupportedKernelSets() {
  std::vector<KernelSet> sets;
#ifdef NATIVE_KERNELS_X86
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (__builtin_cpu_supports("avx512f") && avx2) {
    sets.push_back({"avx512", {{32, Avx512x32}, {16, Avx512x16}, {8, Avx2x8}}, "built-in blocked sgemm (AVX-512 micro-kernels, 6x32/6x16/6x8)"});
  }
  if (avx2) sets.push_back({"avx2", {{16, Avx2x16}, {8, Avx2x8}}, "built-in blocked sgemm (AVX2+FMA micro-kernels, 6x16/6x8)"});
#endif
  sets.push_back({"portable", {{8, Portable8}, {4, Portable4}}, "built-in blocked sgemm (portable 4-wide micro-kernels, 6x8/6x4)"});
  return sets;
}

const std::vector<KernelSet>& KernelSets() {
  static const std::vector<KernelSet> sets = SupportedKernelSets();
  return sets;
}

// The set in use: the fastest unless UseBuiltinKernelSet chose another.
std::atomic<size_t> currentSet{0};

const KernelSet& Kernels() { return KernelSets()[currentSet.load(std::memory_order_relaxed)]; }

// The narrowest kernel whose panels cover n columns, else the widest.
const Kernel& KernelFor(int64_t n) {
  const std::vector<Kernel>& kernels = Kernels().kernels;
  for (auto kernel = kernels.rbegin(); kernel != kernels.rend(); ++kernel) {
    if (kernel->nr >= n) return *kernel;
  }
  return kernels.front();
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
  const Kernel& kernel = KernelFor(n);
  const int64_t nr = kernel.nr;
  // op(a)(i, p) = a[i * aRow + p * aDepth], read in place.
  const int64_t aRow = transposeA ? 1 : lda, aDepth = transposeA ? lda : 1;
  // Per thread: the pool's threads each run their own part of a product.
  thread_local std::vector<float> packedB, partialRows, tile;
  packedB.resize(static_cast<size_t>(std::min(kNc, (n + nr - 1) / nr * nr) * std::min(kKc, k)));
  partialRows.resize(static_cast<size_t>(kMr * std::min(kKc, k)));
  tile.resize(static_cast<size_t>(kMr * nr));

  for (int64_t j0 = 0; j0 < n; j0 += kNc) {
    const int64_t nc = std::min(kNc, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKc) {
      const int64_t kc = std::min(kKc, k - p0);
      // The first slice writes c (scaled by beta), later ones add onto it.
      const bool accumulate = p0 > 0 || beta == 1.0f;
      const bool scale = p0 == 0 && beta != 0.0f && beta != 1.0f;
      PackB(transposeB, b, ldb, p0, kc, j0, nc, nr, packedB.data());
      for (int64_t i0 = 0; i0 < m; i0 += kMc) {
        const int64_t mc = std::min(kMc, m - i0);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t columns = std::min(nr, nc - jr);
          const float* panel = packedB.data() + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += kMr) {
            const int64_t rows = std::min(kMr, mc - ir);
            const float* block = a + (i0 + ir) * aRow + p0 * aDepth;
            float* target = c + (i0 + ir) * ldc + j0 + jr;
            if (rows == kMr && columns == nr && !scale) {
              kernel.run(kc, block, aRow, aDepth, panel, target, ldc, accumulate);
              continue;
            }
            // A partial tile: rows past m are not there to read, columns past n not there
            // to write. Its rows are copied, zero-padded, and the tile computed aside.
            const float* rowsOfA = block;
            int64_t rowStride = aRow, depthStride = aDepth;
            if (rows < kMr) {
              for (int64_t i = 0; i < kMr; i++) {
                for (int64_t p = 0; p < kc; p++) partialRows[i * kc + p] = i < rows ? block[i * aRow + p * aDepth] : 0.0f;
              }
              rowsOfA = partialRows.data();
              rowStride = kc;
              depthStride = 1;
            }
            kernel.run(kc, rowsOfA, rowStride, depthStride, panel, tile.data(), nr, false);
            for (int64_t i = 0; i < rows; i++) {
              const float* source = tile.data() + i * nr;
              float* row = target + i * ldc;
              for (int64_t j = 0; j < columns; j++) {
                row[j] = scale ? beta * row[j] + source[j] : (accumulate ? row[j] + source[j] : source[j]);
              }
            }
          }
        }
      }
    }
  }
}

const char* BuiltinGemmDescription() { return Kernels().description; }

std::vector<std::string> BuiltinKernelSets() {
  std::vector<std::string> names;
  for (const KernelSet& set : KernelSets()) names.emplace_back(set.name);
  return names;
}

bool BuiltinGemmIsFast() { return std::string(KernelSets().front().name) != "portable"; }

bool UseBuiltinKernelSet(const std::string& name) {
  for (size_t index = 0; index < KernelSets().size(); index++) {
    if (KernelSets()[index].name == name) {
      currentSet.store(index, std::memory_order_relaxed);
      return true;
    }
  }
  return false;
}

}  // namespace native_kernels
