// The one single-precision matrix product the kernels call: OpenBLAS's cblas_sgemm
// where the addon was built against it, else the built-in blocked product of
// gemm-builtin.cc, so that a machine with only a C++ compiler still gets a fast engine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// The built-in product's micro-kernel sets this CPU runs, fastest first ("avx512",
// "avx2", "portable"), and choosing one (false: not supported here). The fastest is
// the default; the others are there to measure what a machine without it would get.
std::vector<std::string> BuiltinKernelSets();
bool UseBuiltinKernelSet(const std::string& name);

// Whether the built-in product has vector fused multiply-add kernels here (AVX2 or
// AVX-512), where it measured faster than OpenBLAS (bench/matrix-product.ts); with only
// its portable kernels OpenBLAS is the better default where it is linked.
bool BuiltinGemmIsFast();

// Whether the addon was linked against OpenBLAS, which product runs now (the built-in
// one where BuiltinGemmIsFast, else OpenBLAS where linked), and switching between them
// (false: that one is not linked).
bool HasOpenBlas();
GemmBackend CurrentGemmBackend();
bool UseGemmBackend(GemmBackend backend);

// The product the kernels call: the current backend's.
void Gemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// OpenBLAS's configuration string, or the built-in product's description.
const char* GemmDescription();

}  // namespace native_kernels
