// Gives freed heap memory back to the system after large ingests, off the request path.
//
// glibc keeps the memory a program frees in its arenas for reuse, and an ingest frees much: its
// batches, its queued results, its walk, its workers' arenas. After an ingest of /usr/include
// the idle daemon held 166 MB resident, 66 MB of it free heap, until the next ingest.
// malloc_trim(0) returns that memory, but walks every arena: ~12 ms after that ingest, and still
// ~1.5 ms after ingesting a single file, which a small ingest's caller should not wait for. So
// Request() only wakes a thread of this class, which trims once for any number of requests made
// while it was busy. Without glibc, requests do nothing.
//
// Thread safety: Request() is safe from any thread, and never blocks on a trim. The destructor
// waits for a trim in progress, then stops the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace archivum::core {

class HeapTrimmer {
 public:
  HeapTrimmer() = default;
  ~HeapTrimmer();
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Asks for a trim soon. The thread is started by the first request.
  void Request();

  // How many trims have run so far.
  unsigned trims() const;
  // Blocks until `n` trims have run in all, or `timeout` has passed; whether they have. For
  // tests: nothing in the daemon waits for a trim.
  bool WaitForTrims(unsigned n, std::chrono::milliseconds timeout) const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable cv_;               // wakes the thread
  mutable std::condition_variable trimmed_;  // notified after each trim
  bool requested_ = false;                   // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  unsigned trims_ = 0;                       // guarded by mu_
  std::thread thread_;                       // started under mu_ by the first Request()
};

}  // namespace archivum::core
