#include "common/coalescing_worker.h"

#include <utility>

namespace archivum {

CoalescingWorker::CoalescingWorker(std::function<void()> task, bool lazy) : task_(std::move(task)) {
  if (!lazy) {
    std::lock_guard lock(mu_);
    StartLocked();
  }
}

void CoalescingWorker::StartLocked() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void CoalescingWorker::Request() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    requested_ = true;
    StartLocked();
  }
  cv_.notify_all();
}

void CoalescingWorker::RunAndWait() {
  std::unique_lock lock(mu_);
  if (stopping_) return;
  // The next run to begin is number started_ + 1; runs complete in order.
  const uint64_t target = started_ + 1;
  requested_ = true;
  StartLocked();
  cv_.notify_all();
  cv_.wait(lock, [&] { return completed_ >= target || stopping_; });
}

uint64_t CoalescingWorker::completed() const {
  std::lock_guard lock(mu_);
  return completed_;
}

void CoalescingWorker::WaitUntilCompletedExceeds(uint64_t count) const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return completed_ > count; });
}

bool CoalescingWorker::WaitUntilCompletedExceeds(uint64_t count,
                                                 std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return completed_ > count; });
}

void CoalescingWorker::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

void CoalescingWorker::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    ++started_;
    lock.unlock();
    task_();
    lock.lock();
    ++completed_;
    cv_.notify_all();
  }
}

}  // namespace archivum
