// Row lookups: an embedding table's forward pass.
#include <cstring>

#include "arguments.h"

namespace native_kernels {
namespace {

// gatherRows(table, rows, rowSize, indices, out) -> boolean
//
// out[i, :] = table[indices[i], :], with table seen as [rows, rowSize]. Returns false,
// writing nothing, when an index is outside [0, rows): the caller then leaves the call
// to a kernel that reports it.
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  Arguments args(info, "gatherRows", 5);
  const View<float> table = args.Floats(0, "table");
  const int64_t rows = args.Count(1, "rows"), rowSize = args.Count(2, "rowSize");
  const View<int32_t> indices = args.Ints(3, "indices");
  const View<float> out = args.Floats(4, "out");
  args.Holds(table, rows * rowSize, "table");
  args.Holds(out, static_cast<int64_t>(indices.length) * rowSize, "out");
  if (!args.ok()) return info.Env().Undefined();
  for (size_t i = 0; i < indices.length; i++) {
    if (indices.data[i] < 0 || indices.data[i] >= rows) return Napi::Boolean::New(info.Env(), false);
  }
  for (size_t i = 0; i < indices.length; i++) {
    std::memcpy(out.data + i * rowSize, table.data + indices.data[i] * rowSize, rowSize * sizeof(float));
  }
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace

void RegisterGather(Napi::Env env, Napi::Object exports) {
  exports.Set("gatherRows", Napi::Function::New(env, GatherRows));
}

}  // namespace native_kernels
