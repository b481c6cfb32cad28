// Layer normalisation over the last axis and its gradient, one pass per row.
//
// Composed from tfjs ops the forward pass is eight kernels (moments, subtract,
// rsqrt, scale, shift) and the gradient about twenty, each a full pass over the
// activations. Mean and variance are taken in double, in two passes, as torch's
// reference does in float with more care than a one-pass formula.
#include <algorithm>
#include <cmath>
#include <vector>

#include "arguments.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

// Rows per block of the backward pass's parameter sums (see LayerNormBackward).
constexpr int64_t kRowsPerBlock = 64;

struct RowMoments {
  double mean;
  double inverseDeviation;  // 1 / sqrt(variance + eps)
};

RowMoments MomentsOf(const float* row, int64_t size, double eps) {
  double sum = 0;
  for (int64_t j = 0; j < size; j++) sum += row[j];
  const double mean = sum / static_cast<double>(size);
  double squares = 0;
  for (int64_t j = 0; j < size; j++) squares += (row[j] - mean) * (row[j] - mean);
  return {mean, 1.0 / std::sqrt(squares / static_cast<double>(size) + eps)};
}

// Rows of the forward pass.
void ForwardRows(const float* x, const float* gamma, const float* beta, int64_t rows, int64_t size, double eps, float* y) {
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * size;
    float* out = y + r * size;
    const RowMoments moments = MomentsOf(in, size, eps);
    for (int64_t j = 0; j < size; j++) {
      out[j] = static_cast<float>((in[j] - moments.mean) * moments.inverseDeviation * gamma[j] + beta[j]);
    }
  }
}

// Rows [begin, end) of the backward pass: dx, and their dgamma and dbeta sums added into gammaSums and betaSums.
void BackwardRows(const float* x, const float* gamma, const float* dy, int64_t begin, int64_t end, int64_t size, double eps,
                  float* dx, double* gammaSums, double* betaSums, double* normalized) {
  for (int64_t r = begin; r < end; r++) {
    const float* in = x + r * size;
    const float* gradient = dy + r * size;
    const RowMoments moments = MomentsOf(in, size, eps);
    double meanScaled = 0, meanScaledTimesNormalized = 0;
    for (int64_t j = 0; j < size; j++) {
      normalized[j] = (in[j] - moments.mean) * moments.inverseDeviation;
      const double scaled = static_cast<double>(gradient[j]) * gamma[j];
      meanScaled += scaled;
      meanScaledTimesNormalized += scaled * normalized[j];
      gammaSums[j] += gradient[j] * normalized[j];
      betaSums[j] += gradient[j];
    }
    meanScaled /= static_cast<double>(size);
    meanScaledTimesNormalized /= static_cast<double>(size);
    float* out = dx + r * size;
    for (int64_t j = 0; j < size; j++) {
      const double scaled = static_cast<double>(gradient[j]) * gamma[j];
      out[j] = static_cast<float>((scaled - meanScaled - normalized[j] * meanScaledTimesNormalized) * moments.inverseDeviation);
    }
  }
}

// layerNormForward(x, gamma, beta, rows, size, eps, y), x and y [rows, size]:
// y = (x - mean) / sqrt(variance + eps) * gamma + beta, per row.
Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  Arguments args(info, "layerNormForward", 7);
  const View<float> x = args.Floats(0, "x"), gamma = args.Floats(1, "gamma"), beta = args.Floats(2, "beta");
  const int64_t rows = args.Count(3, "rows"), size = args.Count(4, "size");
  const double eps = args.Number(5, "eps");
  const View<float> y = args.Floats(6, "y");
  args.Holds(x, rows * size, "x");
  args.Holds(gamma, size, "gamma");
  args.Holds(beta, size, "beta");
  args.Holds(y, rows * size, "y");
  if (!args.ok() || size == 0) return info.Env().Undefined();
  ForEachRun(rows, [&](int64_t begin, int64_t end) {
    ForwardRows(x.data + begin * size, gamma.data, beta.data, end - begin, size, eps, y.data + begin * size);
  }, std::max<int64_t>(1, kParallelElements / size));
  return info.Env().Undefined();
}

// layerNormBackward(x, gamma, dy, rows, size, eps, dx, dgamma, dbeta): with
// xhat = (x - mean) / sqrt(variance + eps) and g = dy * gamma, per row
// dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(variance + eps); over all rows
// dgamma = sum(dy * xhat), dbeta = sum(dy).
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Arguments args(info, "layerNormBackward", 9);
  const View<float> x = args.Floats(0, "x"), gamma = args.Floats(1, "gamma"), dy = args.Floats(2, "dy");
  const int64_t rows = args.Count(3, "rows"), size = args.Count(4, "size");
  const double eps = args.Number(5, "eps");
  const View<float> dx = args.Floats(6, "dx"), dgamma = args.Floats(7, "dgamma"), dbeta = args.Floats(8, "dbeta");
  args.Holds(x, rows * size, "x");
  args.Holds(gamma, size, "gamma");
  args.Holds(dy, rows * size, "dy");
  args.Holds(dx, rows * size, "dx");
  args.Holds(dgamma, size, "dgamma");
  args.Holds(dbeta, size, "dbeta");
  if (!args.ok() || size == 0) return info.Env().Undefined();
  // dgamma and dbeta add up over rows: per block of rows, then the blocks in order, so
  // that the sums do not depend on how many threads ran the blocks.
  const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<double> gammaSums(blocks * size, 0.0), betaSums(blocks * size, 0.0);
  auto block = [&](int64_t index) {
    std::vector<double> normalized(size);
    BackwardRows(x.data, gamma.data, dy.data, index * kRowsPerBlock, std::min(rows, (index + 1) * kRowsPerBlock), size, eps, dx.data,
                 gammaSums.data() + index * size, betaSums.data() + index * size, normalized.data());
  };
  if (rows * size < kParallelElements) {
    for (int64_t index = 0; index < blocks; index++) block(index);
  } else {
    ParallelFor(blocks, block);
  }
  for (int64_t j = 0; j < size; j++) {
    double gammaSum = 0, betaSum = 0;
    for (int64_t index = 0; index < blocks; index++) {
      gammaSum += gammaSums[index * size + j];
      betaSum += betaSums[index * size + j];
    }
    dgamma.data[j] = static_cast<float>(gammaSum);
    dbeta.data[j] = static_cast<float>(betaSum);
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterLayerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("layerNormForward", Napi::Function::New(env, LayerNormForward));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
}

}  // namespace native_kernels
