// See thread-pool.h. Helpers spin for a short while after each job, so that the next
// kernel of a training step finds them awake (waking a sleeping thread costs tens of
// microseconds, more than a small product), then sleep on a condition variable.
#include "thread-pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NATIVE_KERNELS_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define NATIVE_KERNELS_RELAX() asm volatile("yield")
#else
#define NATIVE_KERNELS_RELAX()
#endif

namespace native_kernels {
namespace {

// How long an idle helper spins before it sleeps: longer than the gaps between the
// native kernels of a step (JavaScript and wasm kernels run in between).
constexpr auto kSpin = std::chrono::microseconds(20000);

// A job's state in one atomic word, so that a thread claims a part and checks that the
// job is still current in one step: generation (16 bits) | parts (24) | next part (24).
constexpr int kPartBits = 24;
constexpr uint64_t kPartMask = (uint64_t{1} << kPartBits) - 1;
constexpr int64_t kMaxParts = int64_t{1} << kPartBits;

uint64_t GenerationOf(uint64_t ticket) { return ticket >> (2 * kPartBits); }
int64_t PartsOf(uint64_t ticket) { return static_cast<int64_t>((ticket >> kPartBits) & kPartMask); }
int64_t NextOf(uint64_t ticket) { return static_cast<int64_t>(ticket & kPartMask); }

class Pool {
 public:
  void Resize(int threads) {
    std::lock_guard<std::mutex> run(run_);
    Stop();
    // A helper starts from the generation of now: a job published before it runs is still its to join.
    const uint64_t generation = GenerationOf(ticket_.load());
    for (int i = 1; i < threads; i++) helpers_.emplace_back([this, generation] { Help(generation); });
    threads_.store(threads);
  }

  int Threads() const { return threads_.load(std::memory_order_relaxed); }

  // The caller claims parts like any helper and returns once every part has run; it
  // never waits for a helper that has not started (one the OS has descheduled, say):
  // a late helper finds every part claimed, or the next job's generation, and does nothing.
  void Run(int64_t parts, const std::function<void(int64_t)>& body) {
    std::unique_lock<std::mutex> run(run_, std::try_to_lock);
    if (!run.owns_lock() || helpers_.empty() || parts <= 1 || parts >= kMaxParts) {
      for (int64_t part = 0; part < parts; part++) body(part);
      return;
    }
    body_ = &body;
    done_.store(0);
    const uint64_t generation = (GenerationOf(ticket_.load()) + 1) & 0xffff;
    ticket_.store((generation << (2 * kPartBits)) | (static_cast<uint64_t>(parts) << kPartBits));
    if (sleeping_.load() > 0) {
      std::lock_guard<std::mutex> lock(sleep_);
      wake_.notify_all();
    }
    Work(generation);
    while (done_.load() != parts) NATIVE_KERNELS_RELAX();
  }

 private:
  // Claims and runs parts of job `generation` until none is left.
  void Work(uint64_t generation) {
    uint64_t ticket = ticket_.load();
    while (GenerationOf(ticket) == generation && NextOf(ticket) < PartsOf(ticket)) {
      if (!ticket_.compare_exchange_weak(ticket, ticket + 1)) continue;
      // A claimed part keeps the caller waiting in Run, so body_ stays valid until done_ counts it.
      (*body_)(NextOf(ticket));
      done_.fetch_add(1);
      ticket = ticket_.load();
    }
  }

  void Help(uint64_t seen) {
    for (;;) {
      auto idleSince = std::chrono::steady_clock::now();
      uint64_t generation;
      for (int spins = 1; (generation = GenerationOf(ticket_.load())) == seen && !stopping_.load(); spins++) {
        NATIVE_KERNELS_RELAX();
        if (spins % 1024 != 0 || std::chrono::steady_clock::now() - idleSince < kSpin) continue;
        std::unique_lock<std::mutex> lock(sleep_);
        sleeping_.fetch_add(1);
        wake_.wait(lock, [&] { return GenerationOf(ticket_.load()) != seen || stopping_.load(); });
        sleeping_.fetch_sub(1);
        idleSince = std::chrono::steady_clock::now();
      }
      if (stopping_.load()) return;
      seen = generation;
      Work(generation);
    }
  }

  // With run_ held.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(sleep_);
      stopping_.store(true);
      wake_.notify_all();
    }
    for (std::thread& helper : helpers_) helper.join();
    helpers_.clear();
    stopping_.store(false);
  }

  std::mutex run_;  // one job at a time; held while the helper list changes
  std::vector<std::thread> helpers_;
  std::atomic<int> threads_{1};
  const std::function<void(int64_t)>* body_ = nullptr;
  std::atomic<uint64_t> ticket_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stopping_{false};
  std::mutex sleep_;
  std::condition_variable wake_;
};

Pool& ThePool() {
  // Never destroyed: joining threads from a static destructor at process exit can hang.
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

void SetPoolThreads(int threads) { ThePool().Resize(threads < 1 ? 1 : threads); }

int PoolThreads() { return ThePool().Threads(); }

void ParallelFor(int64_t parts, const std::function<void(int64_t)>& body) { ThePool().Run(parts, body); }

Range PartOf(int64_t count, int64_t parts, int64_t part, int64_t align) {
  int64_t chunk = (count + parts - 1) / parts;
  chunk = (chunk + align - 1) / align * align;
  const int64_t begin = part * chunk < count ? part * chunk : count;
  const int64_t end = begin + chunk < count ? begin + chunk : count;
  return {begin, end};
}

}  // namespace native_kernels
