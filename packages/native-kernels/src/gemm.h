// The one single-precision matrix product the kernels call: OpenBLAS's cblas_sgemm
// where the addon was built against it, else the built-in blocked product of
// gemm-builtin.cc, so that a machine with only a C++ compiler still gets a fast engine.
#pragma once

#include <cstdint>

namespace native_kernels {

// Row-major c = op(a) x op(b) + beta c, op(a) m x k, op(b) k x n; beta is 0 or 1.
// a's stored rows are lda apart (k x m stored when transposeA), b's ldb, c's ldc.
using GemmFunction = void (*)(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a,
                              int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

enum class GemmBackend { kOpenBlas, kBuiltin };

// The built-in product (always compiled in) and its description, such as
// "built-in blocked sgemm (avx512f micro-kernel 6x32)".
void BuiltinGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
const char* BuiltinGemmDescription();

// Whether the addon was linked against OpenBLAS, which product runs now (OpenBLAS by
// default where linked), and switching between them (false: that one is not linked).
bool HasOpenBlas();
GemmBackend CurrentGemmBackend();
bool UseGemmBackend(GemmBackend backend);

// The product the kernels call: the current backend's.
void Gemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// OpenBLAS's configuration string, or the built-in product's description.
const char* GemmDescription();

}  // namespace native_kernels
