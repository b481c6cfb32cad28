// Single-precision matrix products for JavaScript Float32Arrays, in place, through
// gemm.h (OpenBLAS where linked, else the built-in blocked product).
#include <algorithm>

#include "arguments.h"
#include "gemm.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

// Products below this many multiply-adds (all of a batch together) run on the calling
// thread: waking the pool costs more than it saves on them.
constexpr int64_t kParallelMultiplyAdds = int64_t{1} << 18;
// Where a product is cut: multiples of the register tiles (OpenBLAS's and the built-in one's).
constexpr int64_t kSplitAlign = 16;

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
  const int64_t lda = transposeA ? m : k;
  const int64_t ldb = transposeB ? k : n;
  // One product, rows [m0, m1) and columns [n0, n1) of c[i]: row r of op(a) starts at
  // a + r (stored transposed) or a + r * lda; column j of op(b) at b + j * ldb or b + j.
  auto product = [&](int64_t i, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const float* aPart = a.data + i * aStride + (transposeA ? m0 : m0 * lda);
    const float* bPart = b.data + i * bStride + (transposeB ? n0 * ldb : n0);
    Gemm(transposeA, transposeB, m1 - m0, n1 - n0, k, aPart, lda, bPart, ldb, 0.0f, c.data + i * m * n + m0 * n + n0, n);
  };
  const int64_t threads = PoolThreads();
  const bool split = threads > 1 && batch * m * n * k >= kParallelMultiplyAdds;
  if (split && batch >= threads) {
    // Whole products per thread (attention's per-head products).
    ParallelFor(threads, [&](int64_t part) {
      const Range range = PartOf(batch, threads, part, 1);
      for (int64_t i = range.begin; i < range.end; i++) product(i, 0, m, 0, n);
    });
  } else if (split && std::max(m, n) >= 2 * kSplitAlign) {
    // Each product cut along its longer side.
    for (int64_t i = 0; i < batch; i++) {
      ParallelFor(threads, [&](int64_t part) {
        const Range range = PartOf(std::max(m, n), threads, part, kSplitAlign);
        if (range.begin == range.end) return;
        if (m >= n) {
          product(i, range.begin, range.end, 0, n);
        } else {
          product(i, 0, m, range.begin, range.end);
        }
      });
    }
  } else {
    for (int64_t i = 0; i < batch; i++) product(i, 0, m, 0, n);
  }
  return info.Env().Undefined();
}

// linearForward(x, weight, bias, rows, inFeatures, outFeatures, y): torch.nn.Linear,
// y [rows, out] = x [rows, in] weight[out, in]^T + bias [out]: the bias is written into
// y first and the product added onto it (sgemm's beta = 1), one pass instead of two.
Napi::Value LinearForward(const Napi::CallbackInfo& info) {
  Arguments args(info, "linearForward", 7);
  const View<float> x = args.Floats(0, "x"), weight = args.Floats(1, "weight"), bias = args.Floats(2, "bias");
  const int64_t rows = args.Count(3, "rows"), in = args.Count(4, "inFeatures"), out = args.Count(5, "outFeatures");
  const View<float> y = args.Floats(6, "y");
  args.Holds(x, rows * in, "x");
  args.Holds(weight, out * in, "weight");
  args.Holds(bias, out, "bias");
  args.Holds(y, rows * out, "y");
  if (!args.ok()) return info.Env().Undefined();
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) std::copy(bias.data, bias.data + out, y.data + r * out);
    if (in == 0 || end == begin || out == 0) return;
    Gemm(false, true, end - begin, out, in, x.data + begin * in, in, weight.data, in, 1.0f, y.data + begin * out, out);
  };
  const int64_t threads = PoolThreads();
  if (threads > 1 && rows * in * out >= kParallelMultiplyAdds && rows >= 2 * kSplitAlign) {
    ParallelFor(threads, [&](int64_t part) {
      const Range range = PartOf(rows, threads, part, kSplitAlign);
      run(range.begin, range.end);
    });
  } else {
    run(0, rows);
  }
  return info.Env().Undefined();
}

// setThreads(count): the threads the kernels may use (the pool's; the product stays single-threaded inside each part).
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Arguments args(info, "setThreads", 1);
  const int64_t count = args.Count(0, "count");
  if (args.ok() && count < 1) {
    Napi::TypeError::New(info.Env(), "setThreads: count must be a positive integer").ThrowAsJavaScriptException();
  } else if (args.ok()) {
    UseGemmBackend(CurrentGemmBackend());
    SetPoolThreads(static_cast<int>(count));
  }
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), PoolThreads());
}

Napi::Value GetConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), GemmDescription());
}

// gemmBackend(): "openblas" or "builtin", the product running now.
Napi::Value GetGemmBackend(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), CurrentGemmBackend() == GemmBackend::kOpenBlas ? "openblas" : "builtin");
}

// builtinKernelSets(): the built-in product's micro-kernel sets this CPU runs, fastest first.
Napi::Value GetBuiltinKernelSets(const Napi::CallbackInfo& info) {
  const std::vector<std::string> names = BuiltinKernelSets();
  Napi::Array array = Napi::Array::New(info.Env(), names.size());
  for (size_t index = 0; index < names.size(); index++) array.Set(static_cast<uint32_t>(index), names[index]);
  return array;
}

// useBuiltinKernelSet(name): runs the built-in product on that set; false when this CPU has no such set.
Napi::Value SetBuiltinKernelSet(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "useBuiltinKernelSet: name must be a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Boolean::New(env, UseBuiltinKernelSet(info[0].As<Napi::String>().Utf8Value()));
}

// useGemmBackend(name): switches the product ("openblas" or "builtin"); returns false,
// changing nothing, for "openblas" when the addon was built without it.
Napi::Value SetGemmBackend(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (name != "openblas" && name != "builtin") {
    Napi::TypeError::New(env, "useGemmBackend: name must be \"openblas\" or \"builtin\"").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Boolean::New(env, UseGemmBackend(name == "openblas" ? GemmBackend::kOpenBlas : GemmBackend::kBuiltin));
}

}  // namespace

void RegisterSgemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemmBatched", Napi::Function::New(env, SgemmBatched));
  exports.Set("linearForward", Napi::Function::New(env, LinearForward));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasConfig", Napi::Function::New(env, GetConfig));
  exports.Set("gemmBackend", Napi::Function::New(env, GetGemmBackend));
  exports.Set("useGemmBackend", Napi::Function::New(env, SetGemmBackend));
  exports.Set("builtinKernelSets", Napi::Function::New(env, GetBuiltinKernelSets));
  exports.Set("useBuiltinKernelSet", Napi::Function::New(env, SetBuiltinKernelSet));
}

}  // namespace native_kernels
