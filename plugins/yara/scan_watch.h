// ScanWatch: stops long calls that cannot poll for themselves.
//
// libyara gives a scan no hook between its start and its end (its callback runs only once the
// scan has finished and the rules are evaluated), so a scan cannot ask archivum_file.is_cancelled
// itself. While a call is registered, one thread of the watch asks for it every `period`
// (is_cancelled is thread-safe and cheap, plugin.h) and compares the call's deadline with the
// clock; once either says stop, it runs the call's `stop` function, once.
//
// Thread safety: every method is safe to call concurrently. `stop` runs on the watch's thread,
// never after the Registration that carries it has been destroyed (destruction waits for a
// running `stop` to return), so it may touch what the registering call owns.
// Ownership: the watch owns its thread (joined by the destructor); a Registration refers to the
// watch and must not outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "archivum/plugin.h"

namespace archivum::bundled::yara {

class ScanWatch {
 public:
  struct Entry;

  // One call under watch, from construction to destruction.
  class Registration {
   public:
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration();
    // Whether `stop` ran (the call was cancelled or its deadline passed).
    bool stopped() const;

   private:
    friend class ScanWatch;
    Registration(ScanWatch* watch, std::list<Entry>::iterator entry)
        : watch_(watch), entry_(entry) {}
    ScanWatch* watch_;
    std::list<Entry>::iterator entry_;
  };

  explicit ScanWatch(std::chrono::milliseconds period);
  ScanWatch(const ScanWatch&) = delete;
  ScanWatch& operator=(const ScanWatch&) = delete;
  ~ScanWatch();

  // Watches the call on `file` (its is_cancelled and deadline_ns) until the returned
  // Registration is destroyed. `file` must stay valid that long.
  Registration Watch(const archivum_file& file, std::function<void()> stop);

  struct Entry {
    const archivum_file* file;
    std::function<void()> stop;
    std::atomic<bool> stopped{false};
  };

 private:
  void Run();

  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::list<Entry> entries_;  // guarded by mu_
  bool quit_ = false;         // guarded by mu_
  std::thread thread_;        // started last, joined first
};

// The current time on CLOCK_MONOTONIC in nanoseconds, the clock of archivum_file.deadline_ns.
int64_t MonotonicNowNs();

}  // namespace archivum::bundled::yara
