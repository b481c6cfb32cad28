// Argument checks shared by every kernel of the addon.
//
// The engine passes views of the tfjs wasm heap, so a kernel reads its inputs and
// writes its outputs where tfjs keeps them: no copy in or out. Every size is checked
// against the arrays' lengths before a kernel runs, because a wrong size here would
// write past a tensor into the rest of the wasm heap.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace native_kernels {

// One typed-array argument, with its start and length in elements.
template <typename T>
struct View {
  T* data;
  size_t length;
};

// Reads the arguments of one call in order, and remembers the first error: a kernel
// reads them all, then returns if `ok()` is false (the JavaScript exception is set).
class Arguments {
 public:
  Arguments(const Napi::CallbackInfo& info, const char* kernel, size_t count)
      : info_(info), kernel_(kernel), ok_(true) {
    if (info.Length() != count) Fail(std::string("takes ") + std::to_string(count) + " arguments");
  }

  View<float> Floats(size_t index, const char* name) { return Typed<float, napi_float32_array>(index, name, "a Float32Array"); }
  View<int32_t> Ints(size_t index, const char* name) { return Typed<int32_t, napi_int32_array>(index, name, "an Int32Array"); }

  // A whole number in [0, 2^31).
  int64_t Count(size_t index, const char* name) {
    if (!ok_) return 0;
    Napi::Value value = info_[index];
    if (!value.IsNumber() || value.As<Napi::Number>().DoubleValue() != static_cast<double>(value.As<Napi::Number>().Int64Value()) ||
        value.As<Napi::Number>().Int64Value() < 0 || value.As<Napi::Number>().Int64Value() > INT32_MAX) {
      Fail(std::string(name) + " must be an integer in [0, 2^31)");
      return 0;
    }
    return value.As<Napi::Number>().Int64Value();
  }

  double Number(size_t index, const char* name) {
    if (!ok_) return 0;
    Napi::Value value = info_[index];
    if (!value.IsNumber()) {
      Fail(std::string(name) + " must be a number");
      return 0;
    }
    return value.As<Napi::Number>().DoubleValue();
  }

  bool Boolean(size_t index, const char* name) {
    if (!ok_) return false;
    Napi::Value value = info_[index];
    if (!value.IsBoolean()) {
      Fail(std::string(name) + " must be a boolean");
      return false;
    }
    return value.As<Napi::Boolean>().Value();
  }

  // Fails with a RangeError unless `view` holds at least `needed` elements.
  template <typename T>
  void Holds(const View<T>& view, int64_t needed, const char* name) {
    if (ok_ && static_cast<int64_t>(view.length) < needed) {
      Napi::RangeError::New(info_.Env(), std::string(kernel_) + ": " + name + " is shorter than the sizes given need")
          .ThrowAsJavaScriptException();
      ok_ = false;
    }
  }

  bool ok() const { return ok_; }

 private:
  template <typename T, napi_typedarray_type type>
  View<T> Typed(size_t index, const char* name, const char* what) {
    View<T> view{nullptr, 0};
    if (!ok_) return view;
    Napi::Value value = info_[index];
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
      Fail(std::string(name) + " must be " + what);
      return view;
    }
    Napi::TypedArrayOf<T> array = value.As<Napi::TypedArrayOf<T>>();
    view.data = array.Data();
    view.length = array.ElementLength();
    return view;
  }

  void Fail(const std::string& message) {
    if (!ok_) return;
    Napi::TypeError::New(info_.Env(), std::string(kernel_) + ": " + message).ThrowAsJavaScriptException();
    ok_ = false;
  }

  const Napi::CallbackInfo& info_;
  const char* kernel_;
  bool ok_;
};

// Each source file adds its functions to the addon's exports.
void RegisterSgemm(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterGather(Napi::Env env, Napi::Object exports);
void RegisterGelu(Napi::Env env, Napi::Object exports);
void RegisterLayerNorm(Napi::Env env, Napi::Object exports);
void RegisterAdamW(Napi::Env env, Napi::Object exports);
void RegisterDropout(Napi::Env env, Napi::Object exports);
void RegisterElementwise(Napi::Env env, Napi::Object exports);
void RegisterMaskedSoftmax(Napi::Env env, Napi::Object exports);
void RegisterDequantize(Napi::Env env, Napi::Object exports);

}  // namespace native_kernels
