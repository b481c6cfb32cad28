// OpenBLAS single-precision matrix products for JavaScript Float32Arrays, in place.
#include <cblas.h>

#include "arguments.h"

namespace native_kernels {
namespace {

// The elements a batch of `batch` matrices of `matrixSize` elements, `stride` apart, spans.
int64_t SpanOf(int64_t batch, int64_t stride, int64_t matrixSize) {
  return batch == 0 || matrixSize == 0 ? 0 : (batch - 1) * stride + matrixSize;
}

// sgemmBatched(transposeA, transposeB, batch, m, n, k, a, aStride, b, bStride, c)
//
// For every i < batch, row-major: c[i] = op(a[i]) x op(b[i]), where op(a[i]) is m x k
// and op(b[i]) is k x n; a[i] starts at element i * aStride of a (0 broadcasts one
// matrix over the batch), likewise b; c[i] starts at i * m * n.
Napi::Value SgemmBatched(const Napi::CallbackInfo& info) {
  Arguments args(info, "sgemmBatched", 11);
  const bool transposeA = args.Boolean(0, "transposeA");
  const bool transposeB = args.Boolean(1, "transposeB");
  const int64_t batch = args.Count(2, "batch"), m = args.Count(3, "m"), n = args.Count(4, "n"), k = args.Count(5, "k");
  const View<float> a = args.Floats(6, "a");
  const int64_t aStride = args.Count(7, "aStride");
  const View<float> b = args.Floats(8, "b");
  const int64_t bStride = args.Count(9, "bStride");
  const View<float> c = args.Floats(10, "c");
  args.Holds(a, SpanOf(batch, aStride, m * k), "a");
  args.Holds(b, SpanOf(batch, bStride, k * n), "b");
  args.Holds(c, batch * m * n, "c");
  if (!args.ok() || m == 0 || n == 0) return info.Env().Undefined();
  if (k == 0) {
    // BLAS leaves c untouched when k is 0 (beta 0 aside); an empty sum is 0.
    for (int64_t i = 0; i < batch * m * n; i++) c.data[i] = 0.0f;
    return info.Env().Undefined();
  }
  // Row-major leading dimensions: the stored row length of each operand.
  const int lda = static_cast<int>(transposeA ? m : k);
  const int ldb = static_cast<int>(transposeB ? k : n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a.data + i * aStride, lda,
                b.data + i * bStride, ldb, 0.0f, c.data + i * m * n, static_cast<int>(n));
  }
  return info.Env().Undefined();
}

// setThreads(count): the threads OpenBLAS may use for one product.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Arguments args(info, "setThreads", 1);
  const int64_t count = args.Count(0, "count");
  if (args.ok() && count < 1) {
    Napi::TypeError::New(info.Env(), "setThreads: count must be a positive integer").ThrowAsJavaScriptException();
  } else if (args.ok()) {
    openblas_set_num_threads(static_cast<int>(count));
  }
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

Napi::Value GetConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openblas_get_config());
}

}  // namespace

void RegisterSgemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemmBatched", Napi::Function::New(env, SgemmBatched));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasConfig", Napi::Function::New(env, GetConfig));
}

}  // namespace native_kernels
