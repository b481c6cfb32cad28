// Sums over a contiguous run of axes, the reduction behind every bias and norm gradient.
//
// tfjs's wasm Sum transposes the reduced axes to the end first and sums rows one
// float at a time: summing a [1024, 512] gradient over its first axis took 5 ms
// there, against a fraction of that as one pass over memory with a row of
// accumulators here.
#include <algorithm>
#include <vector>

#include "arguments.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

// out[o, i] for o in [outerBegin, outerEnd), i in [innerBegin, innerEnd), in double:
// the same additions in the same order whatever the runs.
void SumColumns(const float* x, int64_t outerBegin, int64_t outerEnd, int64_t reduce, int64_t inner, int64_t innerBegin,
                int64_t innerEnd, float* out) {
  std::vector<double> row(innerEnd - innerBegin);
  for (int64_t o = outerBegin; o < outerEnd; o++) {
    const float* block = x + o * reduce * inner;
    if (inner == 1) {
      double sum = 0;
      for (int64_t r = 0; r < reduce; r++) sum += block[r];
      out[o] = static_cast<float>(sum);
      continue;
    }
    std::fill(row.begin(), row.end(), 0.0);
    for (int64_t r = 0; r < reduce; r++) {
      const float* values = block + r * inner + innerBegin;
      for (int64_t i = 0; i < innerEnd - innerBegin; i++) row[i] += values[i];
    }
    for (int64_t i = 0; i < innerEnd - innerBegin; i++) out[o * inner + innerBegin + i] = static_cast<float>(row[i]);
  }
}

// sumAxes(x, outer, reduce, inner, out): x seen as [outer, reduce, inner];
// out[o, i] = sum over r of x[o, r, i], accumulated in double.
Napi::Value SumAxes(const Napi::CallbackInfo& info) {
  Arguments args(info, "sumAxes", 5);
  const View<float> x = args.Floats(0, "x");
  const int64_t outer = args.Count(1, "outer"), reduce = args.Count(2, "reduce"), inner = args.Count(3, "inner");
  const View<float> out = args.Floats(4, "out");
  args.Holds(x, outer * reduce * inner, "x");
  args.Holds(out, outer * inner, "out");
  if (!args.ok()) return info.Env().Undefined();
  if (outer >= inner) {
    // Whole [reduce, inner] blocks per run (row sums: softmax's and layer norm's gradients).
    ForEachRun(outer, [&](int64_t begin, int64_t end) { SumColumns(x.data, begin, end, reduce, inner, 0, inner, out.data); },
               std::max<int64_t>(1, kParallelElements / std::max<int64_t>(1, reduce * inner)));
  } else {
    // Runs of columns (bias gradients: one [reduce, inner] block).
    ForEachRun(inner, [&](int64_t begin, int64_t end) { SumColumns(x.data, 0, outer, reduce, inner, begin, end, out.data); },
               std::max<int64_t>(16, kParallelElements / std::max<int64_t>(1, outer * reduce)));
  }
  return info.Env().Undefined();
}

// sumOfSquares(arrays): the sum of x^2 over every element of every Float32Array in the
// list, in double: the squared global norm that gradient clipping measures. Summed by
// blocks of a fixed size, then the blocks in order, so the result does not depend on
// the thread count.
Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  constexpr int64_t kBlock = int64_t{1} << 14;
  if (info.Length() != 1 || !info[0].IsArray()) {
    Napi::TypeError::New(info.Env(), "sumOfSquares: takes one array of Float32Arrays").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const Napi::Array list = info[0].As<Napi::Array>();
  struct Block {
    const float* data;
    int64_t count;
  };
  std::vector<Block> blocks;
  for (uint32_t index = 0; index < list.Length(); index++) {
    const Napi::Value value = list.Get(index);
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      Napi::TypeError::New(info.Env(), "sumOfSquares: every entry must be a Float32Array").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    const Napi::Float32Array array = value.As<Napi::Float32Array>();
    const int64_t length = static_cast<int64_t>(array.ElementLength());
    for (int64_t begin = 0; begin < length; begin += kBlock) blocks.push_back({array.Data() + begin, std::min(kBlock, length - begin)});
  }
  std::vector<double> sums(blocks.size(), 0.0);
  auto sumBlock = [&](int64_t index) {
    double sum = 0;
    const Block& block = blocks[index];
    for (int64_t i = 0; i < block.count; i++) sum += static_cast<double>(block.data[i]) * block.data[i];
    sums[index] = sum;
  };
  if (blocks.size() > 1) {
    ParallelFor(static_cast<int64_t>(blocks.size()), sumBlock);
  } else if (blocks.size() == 1) {
    sumBlock(0);
  }
  double total = 0;
  for (const double sum : sums) total += sum;
  return Napi::Number::New(info.Env(), total);
}

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("sumAxes", Napi::Function::New(env, SumAxes));
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares));
}

}  // namespace native_kernels
