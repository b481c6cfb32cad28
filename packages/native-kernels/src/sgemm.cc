// OpenBLAS single-precision matrix products for JavaScript Float32Arrays, in place.
//
// The engine passes views of the tfjs wasm heap, so the product reads its operands
// and writes its result where tfjs keeps them: no copy in or out. Every size is
// checked against the arrays' lengths before BLAS runs, because a wrong size here
// would write past a tensor into the rest of the wasm heap.
#include <napi.h>
#include <cblas.h>

#include <cstdint>

namespace {

// One Float32Array argument, with its start and length in elements.
struct FloatView {
  float* data;
  size_t length;
};

bool ReadFloatView(const Napi::CallbackInfo& info, size_t index, const char* name, FloatView* view) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(info.Env(), std::string("sgemmBatched: ") + name + " must be a Float32Array")
        .ThrowAsJavaScriptException();
    return false;
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  view->data = array.Data();
  view->length = array.ElementLength();
  return true;
}

bool ReadCount(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t* count) {
  Napi::Value value = info[index];
  if (!value.IsNumber() || value.As<Napi::Number>().Int64Value() < 0 ||
      value.As<Napi::Number>().Int64Value() > INT32_MAX) {
    Napi::TypeError::New(info.Env(), std::string("sgemmBatched: ") + name + " must be an integer in [0, 2^31)")
        .ThrowAsJavaScriptException();
    return false;
  }
  *count = value.As<Napi::Number>().Int64Value();
  return true;
}

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
  Napi::Env env = info.Env();
  if (info.Length() != 11 || !info[0].IsBoolean() || !info[1].IsBoolean()) {
    Napi::TypeError::New(env, "sgemmBatched(transposeA, transposeB, batch, m, n, k, a, aStride, b, bStride, c)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool transposeA = info[0].As<Napi::Boolean>().Value();
  const bool transposeB = info[1].As<Napi::Boolean>().Value();
  int64_t batch, m, n, k, aStride, bStride;
  FloatView a, b, c;
  if (!ReadCount(info, 2, "batch", &batch) || !ReadCount(info, 3, "m", &m) || !ReadCount(info, 4, "n", &n) ||
      !ReadCount(info, 5, "k", &k) || !ReadFloatView(info, 6, "a", &a) || !ReadCount(info, 7, "aStride", &aStride) ||
      !ReadFloatView(info, 8, "b", &b) || !ReadCount(info, 9, "bStride", &bStride) ||
      !ReadFloatView(info, 10, "c", &c)) {
    return env.Undefined();
  }
  if (SpanOf(batch, aStride, m * k) > static_cast<int64_t>(a.length) ||
      SpanOf(batch, bStride, k * n) > static_cast<int64_t>(b.length) ||
      batch * m * n > static_cast<int64_t>(c.length)) {
    Napi::RangeError::New(env, "sgemmBatched: a, b or c is shorter than batch, m, n, k and the strides need")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (m == 0 || n == 0) return env.Undefined();
  if (k == 0) {
    // BLAS leaves c untouched when k is 0 (beta 0 aside); an empty sum is 0.
    for (int64_t i = 0; i < batch * m * n; i++) c.data[i] = 0.0f;
    return env.Undefined();
  }
  // Row-major leading dimensions: the stored row length of each operand.
  const int lda = static_cast<int>(transposeA ? m : k);
  const int ldb = static_cast<int>(transposeB ? k : n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a.data + i * aStride, lda,
                b.data + i * bStride, ldb, 0.0f, c.data + i * m * n, static_cast<int>(n));
  }
  return env.Undefined();
}

// setThreads(count): the threads OpenBLAS may use for one product.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    Napi::TypeError::New(env, "setThreads(count): count must be a positive integer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  openblas_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

Napi::Value GetConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openblas_get_config());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemmBatched", Napi::Function::New(env, SgemmBatched));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasConfig", Napi::Function::New(env, GetConfig));
  return exports;
}

}  // namespace

NODE_API_MODULE(native_kernels, Init)
