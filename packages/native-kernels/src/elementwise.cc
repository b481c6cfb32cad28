// Elementwise float32 work: arithmetic with tfjs's broadcasting, and transposes.
//
// Arithmetic: the residual adds, the
// attention mask's add, dropout's and the gradients' multiplies. Each output element
// is one IEEE operation on the same two floats as tfjs's wasm kernel, so the results
// are the same bit for bit; the gain is the pool's threads and fewer index computations.
#include <algorithm>
#include <cstdint>

#include "arguments.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

enum class Op { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };

template <Op op>
inline float Apply(float a, float b) {
  if constexpr (op == Op::kAdd) return a + b;
  if constexpr (op == Op::kSub) return a - b;
  if constexpr (op == Op::kMul) return a * b;
  return a / b;
}

// One innermost run of `count` outputs; the stride patterns that occur get their own loop, which vectorizes.
template <Op op>
void Run(const float* __restrict a, int64_t aStride, const float* __restrict b, int64_t bStride, float* __restrict out, int64_t count) {
  if (aStride == 1 && bStride == 1) {
    for (int64_t i = 0; i < count; i++) out[i] = Apply<op>(a[i], b[i]);
  } else if (aStride == 1 && bStride == 0) {
    const float value = *b;
    for (int64_t i = 0; i < count; i++) out[i] = Apply<op>(a[i], value);
  } else if (aStride == 0 && bStride == 1) {
    const float value = *a;
    for (int64_t i = 0; i < count; i++) out[i] = Apply<op>(value, b[i]);
  } else {
    for (int64_t i = 0; i < count; i++) out[i] = Apply<op>(a[i * aStride], b[i * bStride]);
  }
}

constexpr int64_t kMaxRank = 8;

struct Layout {
  int64_t rank;
  int64_t shape[kMaxRank];
  int64_t aStrides[kMaxRank];
  int64_t bStrides[kMaxRank];
};

template <Op op>
void Binary(const float* a, const float* b, float* out, const Layout& layout) {
  const int64_t last = layout.rank - 1;
  const int64_t inner = layout.shape[last];
  int64_t rows = 1;
  for (int64_t d = 0; d < last; d++) rows *= layout.shape[d];
  ForEachRun(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      // The row's offsets in a and b, from its index over the outer dimensions.
      int64_t aOffset = 0, bOffset = 0, rest = row;
      for (int64_t d = last - 1; d >= 0; d--) {
        const int64_t index = rest % layout.shape[d];
        rest /= layout.shape[d];
        aOffset += index * layout.aStrides[d];
        bOffset += index * layout.bStrides[d];
      }
      Run<op>(a + aOffset, layout.aStrides[last], b + bOffset, layout.bStrides[last], out + row * inner, inner);
    }
  }, inner == 0 ? 1 : (kParallelElements + inner - 1) / inner);
}

// binaryOp(op, a, b, out, layout): out = a op b (op 0 add, 1 subtract, 2 multiply, 3
// divide) over the loop nest layout = [rank, shape..., a's strides..., b's strides...]
// (innermost last; a stride of 0 broadcasts), out written contiguously.
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  Arguments args(info, "binaryOp", 5);
  const int64_t op = args.Count(0, "op");
  const View<float> a = args.Floats(1, "a"), b = args.Floats(2, "b"), out = args.Floats(3, "out");
  const View<int32_t> encoded = args.Ints(4, "layout");
  if (!args.ok()) return info.Env().Undefined();
  Layout layout{};
  layout.rank = encoded.length > 0 ? encoded.data[0] : 0;
  if (op > 3 || layout.rank < 1 || layout.rank > kMaxRank || static_cast<int64_t>(encoded.length) != 1 + 3 * layout.rank) {
    Napi::TypeError::New(info.Env(), "binaryOp: op must be 0-3 and layout [rank, shape, aStrides, bStrides] with rank 1-8")
        .ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  // The last element each operand reaches, checked against its length as every kernel here does.
  int64_t size = 1, aLast = 0, bLast = 0;
  for (int64_t d = 0; d < layout.rank; d++) {
    layout.shape[d] = encoded.data[1 + d];
    layout.aStrides[d] = encoded.data[1 + layout.rank + d];
    layout.bStrides[d] = encoded.data[1 + 2 * layout.rank + d];
    if (layout.shape[d] < 1 || layout.aStrides[d] < 0 || layout.bStrides[d] < 0) {
      Napi::RangeError::New(info.Env(), "binaryOp: extents must be positive and strides non-negative").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    size *= layout.shape[d];
    aLast += (layout.shape[d] - 1) * layout.aStrides[d];
    bLast += (layout.shape[d] - 1) * layout.bStrides[d];
  }
  args.Holds(a, aLast + 1, "a");
  args.Holds(b, bLast + 1, "b");
  args.Holds(out, size, "out");
  if (!args.ok()) return info.Env().Undefined();
  switch (static_cast<Op>(op)) {
    case Op::kAdd: Binary<Op::kAdd>(a.data, b.data, out.data, layout); break;
    case Op::kSub: Binary<Op::kSub>(a.data, b.data, out.data, layout); break;
    case Op::kMul: Binary<Op::kMul>(a.data, b.data, out.data, layout); break;
    case Op::kDiv: Binary<Op::kDiv>(a.data, b.data, out.data, layout); break;
  }
  return info.Env().Undefined();
}

// stridedCopy(x, out, layout): out, written contiguously, takes x's elements over the
// loop nest layout = [rank, shape..., x's strides...] (innermost last): a transpose
// when the strides are x's own, permuted.
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  Arguments args(info, "stridedCopy", 3);
  const View<float> x = args.Floats(0, "x"), out = args.Floats(1, "out");
  const View<int32_t> encoded = args.Ints(2, "layout");
  if (!args.ok()) return info.Env().Undefined();
  const int64_t rank = encoded.length > 0 ? encoded.data[0] : 0;
  if (rank < 1 || rank > kMaxRank || static_cast<int64_t>(encoded.length) != 1 + 2 * rank) {
    Napi::TypeError::New(info.Env(), "stridedCopy: layout must be [rank, shape, strides] with rank 1-8").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Layout layout{};
  layout.rank = rank;
  int64_t size = 1, last = 0;
  for (int64_t d = 0; d < rank; d++) {
    layout.shape[d] = encoded.data[1 + d];
    layout.aStrides[d] = encoded.data[1 + rank + d];
    if (layout.shape[d] < 1 || layout.aStrides[d] < 0) {
      Napi::RangeError::New(info.Env(), "stridedCopy: extents must be positive and strides non-negative").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    size *= layout.shape[d];
    last += (layout.shape[d] - 1) * layout.aStrides[d];
  }
  args.Holds(x, last + 1, "x");
  args.Holds(out, size, "out");
  if (!args.ok()) return info.Env().Undefined();
  const int64_t inner = layout.shape[rank - 1], innerStride = layout.aStrides[rank - 1];
  int64_t rows = 1;
  for (int64_t d = 0; d < rank - 1; d++) rows *= layout.shape[d];
  ForEachRun(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      int64_t offset = 0, rest = row;
      for (int64_t d = rank - 2; d >= 0; d--) {
        offset += (rest % layout.shape[d]) * layout.aStrides[d];
        rest /= layout.shape[d];
      }
      const float* from = x.data + offset;
      float* to = out.data + row * inner;
      if (innerStride == 1) {
        std::copy(from, from + inner, to);
      } else {
        for (int64_t i = 0; i < inner; i++) to[i] = from[i * innerStride];
      }
    }
  }, (kParallelElements + inner - 1) / inner);
  return info.Env().Undefined();
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binaryOp", Napi::Function::New(env, BinaryOp));
  exports.Set("stridedCopy", Napi::Function::New(env, StridedCopy));
}

}  // namespace native_kernels
