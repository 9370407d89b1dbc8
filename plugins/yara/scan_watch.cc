#include "yara/scan_watch.h"

#include <ctime>
#include <utility>

namespace archivum::bundled::yara {

int64_t MonotonicNowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

ScanWatch::ScanWatch(std::chrono::milliseconds period)
    : period_(period), thread_([this] { Run(); }) {}

ScanWatch::~ScanWatch() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

ScanWatch::Registration ScanWatch::Watch(const archivum_file& file, std::function<void()> stop) {
  bool first = false;
  std::list<Entry>::iterator it;
  {
    std::lock_guard lock(mu_);
    first = entries_.empty();
    it = entries_.emplace(entries_.end());
    it->file = &file;
    it->stop = std::move(stop);
  }
  if (first) wake_.notify_all();
  return Registration(this, it);
}

ScanWatch::Registration::~Registration() {
  // Under the lock, so that a `stop` running on the watch's thread has returned.
  std::lock_guard lock(watch_->mu_);
  watch_->entries_.erase(entry_);
}

bool ScanWatch::Registration::stopped() const {
  return entry_->stopped.load(std::memory_order_acquire);
}

void ScanWatch::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Idle until a call registers; then wake every period while any is registered.
    wake_.wait(lock, [this] { return quit_ || !entries_.empty(); });
    if (quit_) return;
    wake_.wait_for(lock, period_, [this] { return quit_; });
    if (quit_) return;
    const int64_t now = MonotonicNowNs();
    for (Entry& e : entries_) {
      if (e.stopped.load(std::memory_order_relaxed)) continue;
      const bool expired = e.file->deadline_ns != INT64_MAX && now >= e.file->deadline_ns;
      const bool cancelled =
          e.file->is_cancelled != nullptr && e.file->is_cancelled(e.file->cancel_ctx) != 0;
      if (expired || cancelled) {
        e.stop();
        e.stopped.store(true, std::memory_order_release);
      }
    }
  }
}

}  // namespace archivum::bundled::yara
