// Blockwise dequantization of packed 4- or 8-bit codes (QLoRA's frozen weights and
// their double-quantized absmax constants): out[i] = codebook[code i] * absmax[i / blockSize].
//
// Composed from tfjs ops this is some twenty kernels per weight (the wasm backend has no
// bit shifts, so each int32 word is split into 16-bit halves and digits in float32, then
// a gather of the code book, a multiply and slices); here it is one pass. The codes are
// packed planar (packages/engine/src/quantization/packing.ts): with W words, code p sits
// in word p mod W, bits [bits * floor(p / W), bits * floor(p / W) + bits). Each value is
// the one float32 multiply the composed path does, so the results are bit for bit equal.
#include <algorithm>

#include "arguments.h"
#include "thread-pool.h"

namespace native_kernels {
namespace {

// out[begin, end): slot by slot (consecutive words), block by block (one absmax each).
void DequantizeRun(const int32_t* __restrict words, int64_t wordCount, const float* __restrict absmax, const float* __restrict codebook,
                   int bits, int64_t blockSize, float* __restrict out, int64_t begin, int64_t end) {
  const uint32_t mask = (uint32_t{1} << bits) - 1;
  for (int64_t slot = begin / wordCount; slot * wordCount < end; slot++) {
    const int64_t slotStart = slot * wordCount;
    const int64_t slotEnd = std::min(end, slotStart + wordCount);
    const int shift = static_cast<int>(bits * slot);
    const int32_t* slotWords = words - slotStart;
    for (int64_t i = std::max(begin, slotStart); i < slotEnd;) {
      const int64_t block = i / blockSize;
      const int64_t blockEnd = std::min(slotEnd, (block + 1) * blockSize);
      const float scale = absmax[block];
      for (; i < blockEnd; i++) out[i] = codebook[(static_cast<uint32_t>(slotWords[i]) >> shift) & mask] * scale;
    }
  }
}

// dequantizeBlockwise(packedCodes, absmax, codebook, bits, blockSize, out): out.length values.
Napi::Value DequantizeBlockwise(const Napi::CallbackInfo& info) {
  Arguments args(info, "dequantizeBlockwise", 6);
  const View<int32_t> words = args.Ints(0, "packedCodes");
  const View<float> absmax = args.Floats(1, "absmax");
  const View<float> codebook = args.Floats(2, "codebook");
  const int64_t bits = args.Count(3, "bits");
  const int64_t blockSize = args.Count(4, "blockSize");
  const View<float> out = args.Floats(5, "out");
  if (!args.ok()) return info.Env().Undefined();
  if (bits != 4 && bits != 8) {
    Napi::RangeError::New(info.Env(), "dequantizeBlockwise: bits must be 4 or 8").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (blockSize < 1) {
    Napi::RangeError::New(info.Env(), "dequantizeBlockwise: blockSize must be at least 1").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const int64_t size = static_cast<int64_t>(out.length);
  const int64_t codesPerWord = 32 / bits;
  args.Holds(words, (size + codesPerWord - 1) / codesPerWord, "packedCodes");
  args.Holds(absmax, (size + blockSize - 1) / blockSize, "absmax");
  args.Holds(codebook, int64_t{1} << bits, "codebook");
  if (!args.ok() || size == 0) return info.Env().Undefined();
  const int64_t wordCount = static_cast<int64_t>(words.length);
  ForEachRun(size, [&](int64_t begin, int64_t end) {
    DequantizeRun(words.data, wordCount, absmax.data, codebook.data, static_cast<int>(bits), blockSize, out.data, begin, end);
  });
  return info.Env().Undefined();
}

}  // namespace

void RegisterDequantize(Napi::Env env, Napi::Object exports) {
  exports.Set("dequantizeBlockwise", Napi::Function::New(env, DequantizeBlockwise));
}

}  // namespace native_kernels
