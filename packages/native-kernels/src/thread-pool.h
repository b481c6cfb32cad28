// The addon's own threads: one pool that splits a kernel's work into parts.
//
// OpenBLAS runs single-threaded inside every part (its own threading is switched off
// at load): its thread team woke for every product, small ones included, and the
// LoRA step's rank-8 products were slower on two threads than on one. Here the
// kernels decide, by size, whether to split at all, and the same threads serve the
// elementwise kernels, which OpenBLAS cannot.
#pragma once

#include <cstdint>
#include <functional>

namespace native_kernels {

// Sets how many threads ParallelFor uses, the calling thread included (at least 1).
void SetPoolThreads(int threads);
int PoolThreads();

// Runs body(part) for every part in [0, parts) and returns when all have run. The
// calling thread takes parts too; with one thread, or when another thread is using
// the pool, every part runs on the calling thread, in order.
void ParallelFor(int64_t parts, const std::function<void(int64_t)>& body);

// [begin, end) of part `part` when `count` items are cut into `parts` runs whose
// boundaries are multiples of `align` (the last run takes the remainder).
struct Range {
  int64_t begin, end;
};
Range PartOf(int64_t count, int64_t parts, int64_t part, int64_t align);

// Below this many elements an elementwise kernel runs on the calling thread: a split
// costs a few microseconds, about what one thread takes for this many.
constexpr int64_t kParallelElements = int64_t{1} << 14;

// body(begin, end) over runs of [0, count) covering it once: one run per pool thread
// (boundaries on multiples of 16, whole cache lines), or a single run on the calling
// thread below `minimum` elements. Each element's result must not depend on the runs.
inline void ForEachRun(int64_t count, const std::function<void(int64_t, int64_t)>& body, int64_t minimum = kParallelElements) {
  const int64_t threads = PoolThreads();
  if (threads <= 1 || count < minimum) {
    body(0, count);
    return;
  }
  ParallelFor(threads, [&](int64_t part) {
    const Range range = PartOf(count, threads, part, 16);
    if (range.begin < range.end) body(range.begin, range.end);
  });
}

}  // namespace native_kernels
