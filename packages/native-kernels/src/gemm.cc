// See gemm.h: the built-in product where it has vector FMA kernels, else OpenBLAS where
// the addon was linked against it (binding.gyp decides at build time, by whether a
// program using cblas.h links with -lopenblas); either can be switched at run time.
#include "gemm.h"

#include <atomic>

#ifdef BANKBENCH_OPENBLAS
#include <cblas.h>
#endif

namespace native_kernels {
namespace {

#ifdef BANKBENCH_OPENBLAS
constexpr bool kHasOpenBlas = true;

void OpenBlasGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                  const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
#else
constexpr bool kHasOpenBlas = false;
#endif

std::atomic<GemmBackend> current{kHasOpenBlas && !BuiltinGemmIsFast() ? GemmBackend::kOpenBlas : GemmBackend::kBuiltin};

}  // namespace

bool HasOpenBlas() { return kHasOpenBlas; }

GemmBackend CurrentGemmBackend() { return current.load(std::memory_order_relaxed); }

bool UseGemmBackend(GemmBackend backend) {
  if (backend == GemmBackend::kOpenBlas && !kHasOpenBlas) return false;
#ifdef BANKBENCH_OPENBLAS
  // The addon's pool does the threading; OpenBLAS runs single-threaded inside each part.
  if (backend == GemmBackend::kOpenBlas) openblas_set_num_threads(1);
#endif
  current.store(backend, std::memory_order_relaxed);
  return true;
}

void Gemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
#ifdef BANKBENCH_OPENBLAS
  if (CurrentGemmBackend() == GemmBackend::kOpenBlas) {
    OpenBlasGemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#endif
  BuiltinGemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

const char* GemmDescription() {
#ifdef BANKBENCH_OPENBLAS
  if (CurrentGemmBackend() == GemmBackend::kOpenBlas) return openblas_get_config();
#endif
  return BuiltinGemmDescription();
}

}  // namespace native_kernels
