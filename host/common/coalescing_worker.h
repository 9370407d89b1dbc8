// Runs a task on a thread of its own whenever asked, one run at a time; requests made before a
// run begins coalesce into that run. For background work that only needs to happen "soon after
// something changed", never once per request: the catalog's WAL checkpoints (the store's
// WalCheckpointer), returning an ingest's free heap (os/heap_trimmer.h).
//
// Thread safety: every method may be called from any thread, including from the task itself
// for Request(). Lifetime: Stop() (or the destructor) waits for the run under way, then ends the
// thread; whatever the task uses must outlive that.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace archivum {

class CoalescingWorker {
 public:
  // `task` runs on the worker's thread. With `lazy`, the thread starts at the first request
  // instead of here, so a worker that is never asked costs no thread.
  explicit CoalescingWorker(std::function<void()> task, bool lazy = false);
  ~CoalescingWorker() { Stop(); }
  CoalescingWorker(const CoalescingWorker&) = delete;
  CoalescingWorker& operator=(const CoalescingWorker&) = delete;

  // Asks for a run; returns at once. Ignored once stopping.
  void Request();
  // Asks for a run and waits until one that began after this call has completed (one already
  // under way may have started before the caller's change), or the worker stops. No timeout.
  void RunAndWait();
  // Runs completed so far.
  uint64_t completed() const;
  // Blocks until more than `count` runs have completed. No timeout.
  void WaitUntilCompletedExceeds(uint64_t count) const;
  // As above, for at most `timeout`; whether they have.
  bool WaitUntilCompletedExceeds(uint64_t count, std::chrono::milliseconds timeout) const;
  // Waits for the run under way, if any, and ends the thread; later requests are ignored.
  // Idempotent.
  void Stop();

 private:
  void StartLocked();  // requires mu_
  void Loop();

  const std::function<void()> task_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // requests and stopping (thread), completions (waiters)
  bool requested_ = false;              // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  uint64_t started_ = 0;                // guarded by mu_; runs begin and end in this order
  uint64_t completed_ = 0;              // guarded by mu_
  std::thread thread_;                  // started under mu_; joined by Stop()
};

}  // namespace archivum
