// Dropout multipliers from tfjs's own random stream, without tfjs's JavaScript loop.
//
// tf.dropout draws one Alea number per element in JavaScript (seedrandom's alea, as
// tf.randomUniform does), then runs Add, Floor and RealDiv over the result: about
// 3 ms for a [32, 32, 128] activation, seven of them per step of the reference
// encoder. This kernel continues the same Alea generator from its seeded state and
// performs the same float32 operations, so a seed gives the very mask tf.dropout gives.
//
// One Alea step waits on the previous one (its carry), about 5 ns, so a long stream is
// cut into runs that start from the state the generator reaches there (jumped to
// directly, see Jump), and several runs are drawn at once on each thread.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "arguments.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

using Wide = unsigned __int128;

// Alea is a lag-3 multiply-with-carry generator in exact double arithmetic: with
// x = s * 2^32, t = a x0 + c; (x0, x1, x2) <- (x1, x2, t mod 2^32); c <- t div 2^32.
constexpr uint64_t kMultiplier = 2091639;
// Its state maps to Z = a (x0 + x1 2^32 + x2 2^64) + c, and one step to Z <- Z b^-1
// mod m with b = 2^32 and m = a b^3 - 1 (Couture and L'Ecuyer's MWC-LCG equivalence),
// so n steps are one multiplication by b^-n = (a b^2)^n mod m.
const Wide kModulus = (static_cast<Wide>(kMultiplier) << 96) - 1;
const Wide kInverseBase = static_cast<Wide>(kMultiplier) << 64;

struct AleaState {
  double s0, s1, s2, c;
};

// x y mod m for x, y < m < 2^117, by doubling (no sum exceeds 2^118).
Wide MultiplyModulo(Wide x, Wide y) {
  Wide result = 0;
  for (int bit = 117; bit >= 0; bit--) {
    result <<= 1;
    if (result >= kModulus) result -= kModulus;
    if ((y >> bit) & 1) {
      result += x;
      if (result >= kModulus) result -= kModulus;
    }
  }
  return result;
}

// b^-steps mod m.
Wide JumpFactor(uint64_t steps) {
  Wide factor = 1, power = kInverseBase;
  for (; steps > 0; steps >>= 1) {
    if (steps & 1) factor = MultiplyModulo(factor, power);
    power = MultiplyModulo(power, power);
  }
  return factor;
}

// Whether the state is one Alea reaches: each s a multiple of 2^-32 in [0, 1), the carry a whole number below a.
bool IsMultiplyWithCarryState(const AleaState& state) {
  for (const double s : {state.s0, state.s1, state.s2}) {
    const double x = s * 4294967296.0;
    if (!(x >= 0 && x < 4294967296.0 && x == std::floor(x))) return false;
  }
  return state.c >= 0 && state.c < static_cast<double>(kMultiplier) && state.c == std::floor(state.c);
}

Wide ToLcg(const AleaState& state) {
  const Wide x = static_cast<Wide>(static_cast<uint64_t>(state.s0 * 4294967296.0)) |
                 (static_cast<Wide>(static_cast<uint64_t>(state.s1 * 4294967296.0)) << 32) |
                 (static_cast<Wide>(static_cast<uint64_t>(state.s2 * 4294967296.0)) << 64);
  return x * kMultiplier + static_cast<uint64_t>(state.c);
}

AleaState FromLcg(Wide z) {
  const Wide x = z / kMultiplier;
  const double scale = 2.3283064365386963e-10;
  return {static_cast<double>(static_cast<uint64_t>(x & 0xffffffffu)) * scale,
          static_cast<double>(static_cast<uint64_t>((x >> 32) & 0xffffffffu)) * scale,
          static_cast<double>(static_cast<uint64_t>(x >> 64)) * scale, static_cast<double>(static_cast<uint64_t>(z % kMultiplier))};
}

// seedrandom's Alea step, in the same double arithmetic (t | 0 truncates a positive t); returns the new s2.
inline double Step(AleaState& state) {
  const double t = 2091639.0 * state.s0 + state.c * 2.3283064365386963e-10;
  state.s0 = state.s1;
  state.s1 = state.s2;
  state.c = static_cast<double>(static_cast<int32_t>(t));
  state.s2 = t - state.c;
  return state.s2;
}

// floor(u + keep) / keep in float32 (kept = 1 / keep), for u in [0, 1] and keep in (0, 1):
// u + keep lies in [0, 2], so comparisons give its floor, without a call to floorf (the
// portable build has no SSE4.1 rounding instruction).
inline float Multiplier(double u, float keep, float kept) {
  const float sum = static_cast<float>(u) + keep;
  return sum < 1.0f ? 0.0f : sum < 2.0f ? kept : 2.0f / keep;
}

// Streams drawn side by side on one thread: independent carry chains keep the core busy.
constexpr int kLanes = 4;
// Below this many elements the stream is drawn in one run.
constexpr int64_t kRunLength = int64_t{1} << 12;

// dropoutMultipliers(s0, s1, s2, c, keepProbability, out): for each element, with
// u the next Alea number rounded to float32, out = floor(u + keep) / keep in float32
// (keep = keepProbability in float32): 1 / keep for a kept element, 0 for a dropped one.
Napi::Value DropoutMultipliers(const Napi::CallbackInfo& info) {
  Arguments args(info, "dropoutMultipliers", 6);
  const AleaState start{args.Number(0, "s0"), args.Number(1, "s1"), args.Number(2, "s2"), args.Number(3, "c")};
  const float keep = static_cast<float>(args.Number(4, "keepProbability"));
  const View<float> out = args.Floats(5, "out");
  if (!args.ok()) return info.Env().Undefined();
  const int64_t count = static_cast<int64_t>(out.length);
  const float kept = 1.0f / keep;
  if (count < kLanes * kRunLength || !IsMultiplyWithCarryState(start)) {
    AleaState state = start;
    for (int64_t i = 0; i < count; i++) out.data[i] = Multiplier(Step(state), keep, kept);
    return info.Env().Undefined();
  }
  // Runs of `length` elements, run r starting from the state r * length steps on.
  const int64_t threads = PoolThreads();
  const int64_t runs = kLanes * threads;
  const int64_t length = (count + runs - 1) / runs;
  const Wide jump = JumpFactor(static_cast<uint64_t>(length));
  std::vector<AleaState> states(runs);
  Wide z = ToLcg(start);
  for (AleaState& state : states) {
    state = FromLcg(z);
    z = MultiplyModulo(z, jump);
  }
  ParallelFor(threads, [&](int64_t part) {
    AleaState lanes[kLanes];
    int64_t begin[kLanes], end[kLanes];
    for (int lane = 0; lane < kLanes; lane++) {
      const int64_t run = part * kLanes + lane;
      lanes[lane] = states[run];
      begin[lane] = std::min(count, run * length);
      end[lane] = std::min(count, begin[lane] + length);
    }
    // The first lane's run is the longest (the last run of the stream may be short).
    for (int64_t i = 0; i < end[0] - begin[0]; i++) {
      for (int lane = 0; lane < kLanes; lane++) {
        if (begin[lane] + i < end[lane]) out.data[begin[lane] + i] = Multiplier(Step(lanes[lane]), keep, kept);
      }
    }
  });
  return info.Env().Undefined();
}

}  // namespace

void RegisterDropout(Napi::Env env, Napi::Object exports) {
  exports.Set("dropoutMultipliers", Napi::Function::New(env, DropoutMultipliers));
}

}  // namespace native_kernels
