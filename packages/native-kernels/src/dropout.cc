// Dropout multipliers from tfjs's own random stream, without tfjs's JavaScript loop.
//
// tf.dropout draws one Alea number per element in JavaScript (seedrandom's alea, as
// tf.randomUniform does), then runs Add, Floor and RealDiv over the result: about
// 3 ms for a [32, 32, 128] activation, seven of them per step of the reference
// encoder. This kernel continues the same Alea generator from its seeded state and
// performs the same float32 operations, so a seed gives the very mask tf.dropout gives.
#include <cmath>

#include "arguments.h"

namespace native_kernels {
namespace {

// dropoutMultipliers(s0, s1, s2, c, keepProbability, out): for each element, with
// u the next Alea number rounded to float32, out = floor(u + keep) / keep in float32
// (keep = keepProbability in float32): 1 / keep for a kept element, 0 for a dropped one.
Napi::Value DropoutMultipliers(const Napi::CallbackInfo& info) {
  Arguments args(info, "dropoutMultipliers", 6);
  double s0 = args.Number(0, "s0"), s1 = args.Number(1, "s1"), s2 = args.Number(2, "s2"), c = args.Number(3, "c");
  const float keep = static_cast<float>(args.Number(4, "keepProbability"));
  const View<float> out = args.Floats(5, "out");
  if (!args.ok()) return info.Env().Undefined();
  for (size_t i = 0; i < out.length; i++) {
    // seedrandom's Alea step, in the same double arithmetic (t | 0 truncates a positive t).
    const double t = 2091639.0 * s0 + c * 2.3283064365386963e-10;
    s0 = s1;
    s1 = s2;
    c = static_cast<double>(static_cast<int32_t>(t));
    s2 = t - c;
    const float u = static_cast<float>(s2);
    out.data[i] = std::floor(u + keep) / keep;
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterDropout(Napi::Env env, Napi::Object exports) {
  exports.Set("dropoutMultipliers", Napi::Function::New(env, DropoutMultipliers));
}

}  // namespace native_kernels
