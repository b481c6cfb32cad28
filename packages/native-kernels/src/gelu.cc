// GELU in its exact (erf) form, x * Phi(x), and its gradient, one pass each.
//
// Composed from tfjs ops the forward pass is four kernels (Multiply, Erf, Add,
// Multiply) and the gradient a dozen, Exp and Erf among them, each a full pass over
// the FFN's largest activation. erf and exp are fast-math.h's vectorizable
// polynomials (about 3e-7 absolute error on erf), not glibc's scalar calls.
#include "arguments.h"
#include "fast-math.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

constexpr float kSqrtHalf = 0.70710678118654752440f;
// 1 / sqrt(2 pi): the standard normal density's factor.
constexpr float kInverseSqrtTwoPi = 0.39894228040143267794f;

// The forward loop is compiled for AVX2 besides baseline x86-64 and picked when the
// addon loads (NATIVE_KERNELS_VECTOR_CLONES): 8 lanes instead of 4, the same float
// operations per element.
NATIVE_KERNELS_VECTOR_CLONES
void GeluForwardRun(const float* __restrict x, float* __restrict out, int64_t count) {
  for (int64_t i = 0; i < count; i++) {
    const float value = x[i];
    out[i] = 0.5f * value * (1.0f + FastErf(value * kSqrtHalf));
  }
}

// Not cloned: its AVX2 build ran 2.5x slower than baseline here (measured, reason not found).
void GeluBackwardRun(const float* __restrict x, const float* __restrict dy, float* __restrict dx, int64_t count) {
  for (int64_t i = 0; i < count; i++) {
    const float value = x[i];
    const float cdf = 0.5f * (1.0f + FastErf(value * kSqrtHalf));
    const float density = kInverseSqrtTwoPi * FastExpNonPositive(-0.5f * value * value);
    dx[i] = dy[i] * (cdf + value * density);
  }
}

// geluForward(x, out): out = 0.5 x (1 + erf(x / sqrt 2)).
Napi::Value GeluForward(const Napi::CallbackInfo& info) {
  Arguments args(info, "geluForward", 2);
  const View<float> x = args.Floats(0, "x");
  const View<float> out = args.Floats(1, "out");
  args.Holds(out, x.length, "out");
  if (!args.ok()) return info.Env().Undefined();
  ForEachRun(static_cast<int64_t>(x.length), [&](int64_t begin, int64_t end) { GeluForwardRun(x.data + begin, out.data + begin, end - begin); });
  return info.Env().Undefined();
}

// geluBackward(x, dy, dx): dx = dy (Phi(x) + x phi(x)), phi the standard normal density.
Napi::Value GeluBackward(const Napi::CallbackInfo& info) {
  Arguments args(info, "geluBackward", 3);
  const View<float> x = args.Floats(0, "x");
  const View<float> dy = args.Floats(1, "dy");
  const View<float> dx = args.Floats(2, "dx");
  args.Holds(dy, x.length, "dy");
  args.Holds(dx, x.length, "dx");
  if (!args.ok()) return info.Env().Undefined();
  ForEachRun(static_cast<int64_t>(x.length), [&](int64_t begin, int64_t end) {
    GeluBackwardRun(x.data + begin, dy.data + begin, dx.data + begin, end - begin);
  });
  return info.Env().Undefined();
}

}  // namespace

void RegisterGelu(Napi::Env env, Napi::Object exports) {
  exports.Set("geluForward", Napi::Function::New(env, GeluForward));
  exports.Set("geluBackward", Napi::Function::New(env, GeluBackward));
}

}  // namespace native_kernels
