// One AdamW step over a parameter tensor and its two moments, in one pass.
//
// The engine's optimizer (packages/engine/src/train/optimizer.ts) issues about ten
// tfjs operations per parameter tensor; this kernel performs the same float32
// operations in the same order (scalars rounded to float32 as tfjs rounds them), so
// its results are the same bit for bit, compiled without contraction to fused
// multiply-adds (-ffp-contract=off in binding.gyp).
#include <cmath>

#include "arguments.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

struct Scalars {
  float decayFactor, beta1, oneMinusBeta1, beta2, oneMinusBeta2, secondMomentCorrection, epsilon, stepSize;
};

// Distinct arrays (restrict), so that the loop vectorizes: SSE lanes round exactly as scalar floats do.
void Update(const float* __restrict p, const float* __restrict grad, const float* __restrict m0, const float* __restrict v0,
            float* __restrict p1, float* __restrict m1, float* __restrict v1, int64_t count, const Scalars s) {
  for (int64_t i = 0; i < count; i++) {
    const float g = grad[i];
    const float decayed = p[i] * s.decayFactor;
    const float m = m0[i] * s.beta1 + g * s.oneMinusBeta1;
    const float v = v0[i] * s.beta2 + (g * g) * s.oneMinusBeta2;
    const float denominator = std::sqrt(v) / s.secondMomentCorrection + s.epsilon;
    m1[i] = m;
    v1[i] = v;
    p1[i] = decayed - (m / denominator) * s.stepSize;
  }
}

// adamwUpdate(parameter, gradient, firstMoment, secondMoment, newParameter, newFirstMoment,
//             newSecondMoment, decayFactor, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
//             secondMomentCorrection, epsilon, stepSize)
//
//   p  = parameter * decayFactor                       (decayFactor = 1 - lr * wd, or 1)
//   m' = firstMoment * beta1 + gradient * oneMinusBeta1
//   v' = secondMoment * beta2 + gradient^2 * oneMinusBeta2
//   p' = p - m' / (sqrt(v') / secondMomentCorrection + epsilon) * stepSize
//
// The outputs must not overlap the inputs: the loop is vectorized on that promise.
Napi::Value AdamWUpdate(const Napi::CallbackInfo& info) {
  Arguments args(info, "adamwUpdate", 15);
  const View<float> parameter = args.Floats(0, "parameter"), gradient = args.Floats(1, "gradient");
  const View<float> firstMoment = args.Floats(2, "firstMoment"), secondMoment = args.Floats(3, "secondMoment");
  const View<float> newParameter = args.Floats(4, "newParameter"), newFirstMoment = args.Floats(5, "newFirstMoment");
  const View<float> newSecondMoment = args.Floats(6, "newSecondMoment");
  const float decayFactor = static_cast<float>(args.Number(7, "decayFactor"));
  const float beta1 = static_cast<float>(args.Number(8, "beta1"));
  const float oneMinusBeta1 = static_cast<float>(args.Number(9, "oneMinusBeta1"));
  const float beta2 = static_cast<float>(args.Number(10, "beta2"));
  const float oneMinusBeta2 = static_cast<float>(args.Number(11, "oneMinusBeta2"));
  const float secondMomentCorrection = static_cast<float>(args.Number(12, "secondMomentCorrection"));
  const float epsilon = static_cast<float>(args.Number(13, "epsilon"));
  const float stepSize = static_cast<float>(args.Number(14, "stepSize"));
  const int64_t count = static_cast<int64_t>(parameter.length);
  for (const auto& [view, name] : {std::pair{gradient, "gradient"}, {firstMoment, "firstMoment"}, {secondMoment, "secondMoment"},
                                   {newParameter, "newParameter"}, {newFirstMoment, "newFirstMoment"}, {newSecondMoment, "newSecondMoment"}}) {
    args.Holds(view, count, name);
  }
  if (!args.ok()) return info.Env().Undefined();
  const Scalars scalars{decayFactor, beta1, oneMinusBeta1, beta2, oneMinusBeta2, secondMomentCorrection, epsilon, stepSize};
  ForEachRun(count, [&](int64_t begin, int64_t end) {
    Update(parameter.data + begin, gradient.data + begin, firstMoment.data + begin, secondMoment.data + begin,
           newParameter.data + begin, newFirstMoment.data + begin, newSecondMoment.data + begin, end - begin, scalars);
  });
  return info.Env().Undefined();
}

}  // namespace

void RegisterAdamW(Napi::Env env, Napi::Object exports) {
  exports.Set("adamwUpdate", Napi::Function::New(env, AdamWUpdate));
}

}  // namespace native_kernels
