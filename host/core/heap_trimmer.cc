#include "core/heap_trimmer.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace archivum::core {

HeapTrimmer::~HeapTrimmer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HeapTrimmer::Request() {
#ifdef __GLIBC__
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    requested_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  cv_.notify_one();
#endif
}

unsigned HeapTrimmer::trims() const {
  std::lock_guard lock(mu_);
  return trims_;
}

bool HeapTrimmer::WaitForTrims(unsigned n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return trimmed_.wait_for(lock, timeout, [&] { return trims_ >= n; });
}

void HeapTrimmer::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
#ifdef __GLIBC__
    ::malloc_trim(0);
#endif
    spdlog::debug("free heap returned to the system in {} us",
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count());
    lock.lock();
    ++trims_;
    trimmed_.notify_all();
  }
}

}  // namespace archivum::core
