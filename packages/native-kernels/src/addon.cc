// The addon's entry point: every kernel file registers its functions here.
#include "arguments.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  native_kernels::RegisterSgemm(env, exports);
  native_kernels::RegisterReduce(env, exports);
  native_kernels::RegisterGather(env, exports);
  native_kernels::RegisterGelu(env, exports);
  native_kernels::RegisterLayerNorm(env, exports);
  native_kernels::RegisterAdamW(env, exports);
  native_kernels::RegisterDropout(env, exports);
  native_kernels::RegisterElementwise(env, exports);
  native_kernels::RegisterMaskedSoftmax(env, exports);
  native_kernels::RegisterDequantize(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(native_kernels, Init)
