// Attention's softmax(scores / divisor + bias) over the last axis, and its gradient,
// one pass per row.
//
// Composed from tfjs ops the forward pass is three kernels (RealDiv, Add, Softmax)
// over the largest activation of attention, [batch, heads, queries, keys], and the
// gradient five (Multiply, Sum, Sub, Multiply, RealDiv). The division and the bias
// are the float32 operations tfjs does; exp is fast-math.h's polynomial on x - max
// (never positive), and each row's sums are taken in double.
#include <algorithm>
#include <limits>

#include "arguments.h"
#include "fast-math.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

// Scores seen as rows of `keys`: row r is (batch entry, head, query) in row-major order.
struct RowLayout {
  int64_t heads, queries, keys;
  // The bias's strides (in elements) along batch, heads and queries: 0 where it broadcasts.
  int64_t biasBatchStride, biasHeadStride, biasQueryStride;

  int64_t BiasOffset(int64_t row) const {
    const int64_t query = row % queries, head = (row / queries) % heads, batch = row / (queries * heads);
    return batch * biasBatchStride + head * biasHeadStride + query * biasQueryStride;
  }
};

void ForwardRows(const float* scores, const float* bias, const RowLayout& layout, float divisor, int64_t begin, int64_t end, float* out) {
  const int64_t keys = layout.keys;
  for (int64_t r = begin; r < end; r++) {
    const float* in = scores + r * keys;
    const float* rowBias = bias + layout.BiasOffset(r);
    float* y = out + r * keys;
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < keys; j++) {
      y[j] = in[j] / divisor + rowBias[j];
      max = std::max(max, y[j]);
    }
    double sum = 0;
    for (int64_t j = 0; j < keys; j++) {
      y[j] = FastExpNonPositive(y[j] - max);
      sum += y[j];
    }
    const float inverseSum = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < keys; j++) y[j] *= inverseSum;
  }
}

// maskedSoftmaxForward(scores, bias, batch, heads, queries, keys, biasBatchStride,
// biasHeadStride, biasQueryStride, divisor, out), scores and out [batch, heads, queries, keys]:
// out = softmax(scores / divisor + bias) over each row of keys, the bias row of (b, h, q)
// starting at b * biasBatchStride + h * biasHeadStride + q * biasQueryStride.
Napi::Value MaskedSoftmaxForward(const Napi::CallbackInfo& info) {
  Arguments args(info, "maskedSoftmaxForward", 11);
  const View<float> scores = args.Floats(0, "scores"), bias = args.Floats(1, "bias");
  const int64_t batch = args.Count(2, "batch"), heads = args.Count(3, "heads"), queries = args.Count(4, "queries"), keys = args.Count(5, "keys");
  const RowLayout layout{heads, queries, keys, args.Count(6, "biasBatchStride"), args.Count(7, "biasHeadStride"), args.Count(8, "biasQueryStride")};
  const float divisor = static_cast<float>(args.Number(9, "divisor"));
  const View<float> out = args.Floats(10, "out");
  const int64_t rows = batch * heads * queries;
  args.Holds(scores, rows * keys, "scores");
  args.Holds(out, rows * keys, "out");
  if (rows > 0) args.Holds(bias, layout.BiasOffset(rows - 1) + keys, "bias");
  if (!args.ok() || rows == 0 || keys == 0) return info.Env().Undefined();
  ForEachRun(rows, [&](int64_t begin, int64_t end) {
    ForwardRows(scores.data, bias.data, layout, divisor, begin, end, out.data);
  }, std::max<int64_t>(1, kParallelElements / keys));
  return info.Env().Undefined();
}

// maskedSoftmaxBackward(y, dy, rows, keys, divisor, dx), y the forward pass's output:
// dx = y (dy - sum(dy y)) / divisor per row (softmax's gradient, then the division's).
Napi::Value MaskedSoftmaxBackward(const Napi::CallbackInfo& info) {
  Arguments args(info, "maskedSoftmaxBackward", 6);
  const View<float> y = args.Floats(0, "y"), dy = args.Floats(1, "dy");
  const int64_t rows = args.Count(2, "rows"), keys = args.Count(3, "keys");
  const float divisor = static_cast<float>(args.Number(4, "divisor"));
  const View<float> dx = args.Floats(5, "dx");
  args.Holds(y, rows * keys, "y");
  args.Holds(dy, rows * keys, "dy");
  args.Holds(dx, rows * keys, "dx");
  if (!args.ok() || keys == 0) return info.Env().Undefined();
  ForEachRun(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) {
      const float* p = y.data + r * keys;
      const float* gradient = dy.data + r * keys;
      double dot = 0;
      for (int64_t j = 0; j < keys; j++) dot += static_cast<double>(gradient[j]) * p[j];
      const float rowDot = static_cast<float>(dot);
      float* out = dx.data + r * keys;
      for (int64_t j = 0; j < keys; j++) out[j] = p[j] * (gradient[j] - rowDot) / divisor;
    }
  }, std::max<int64_t>(1, kParallelElements / keys));
  return info.Env().Undefined();
}

}  // namespace

void RegisterMaskedSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("maskedSoftmaxForward", Napi::Function::New(env, MaskedSoftmaxForward));
  exports.Set("maskedSoftmaxBackward", Napi::Function::New(env, MaskedSoftmaxBackward));
}

}  // namespace native_kernels
