// Counts the FileManager and Health calls in flight, so that shutdown knows when it has nothing
// left to wait for.
//
// gRPC 1.51's own graceful shutdown also waits for every connection's peer to acknowledge its
// GOAWAY. An idle C++ channel does that only on its next backup poll (5 s), and a peer that never
// answers holds the daemon for gRPC's 20 s GOAWAY timeout. GrpcServer::Shutdown drains the calls
// itself instead: it refuses new ones (draining()), waits for those in flight (WaitIdle), and then
// shuts the server down at once, which closes the idle connections without waiting for peers.
//
// A call is counted from before its handler runs until gRPC is done with it (its status sent):
// FileManager's and Health's calls through their reactors (a RawUnaryCall for unary ones,
// raw_unary_call.h).
//
// Thread safety: every member is safe from any thread. The tracker must outlive its tickets.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace archivum::api {

class CallTracker {
 public:
  // One call in flight, from its creation until its destruction. Movable; a moved-from ticket
  // counts nothing.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept : tracker_(other.tracker_) { other.tracker_ = nullptr; }
    Ticket& operator=(Ticket&& other) noexcept {
      if (this != &other) {
        Release();
        tracker_ = other.tracker_;
        other.tracker_ = nullptr;
      }
      return *this;
    }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { Release(); }

   private:
    friend class CallTracker;
    explicit Ticket(CallTracker* tracker) : tracker_(tracker) {}
    void Release() {
      if (tracker_ != nullptr) tracker_->Exit();
      tracker_ = nullptr;
    }
    CallTracker* tracker_ = nullptr;
  };

  CallTracker() = default;
  CallTracker(const CallTracker&) = delete;
  CallTracker& operator=(const CallTracker&) = delete;

  // Counts one more call until the returned ticket is destroyed. Always succeeds: a call that
  // arrives while draining is counted too, and its handler answers it with UNAVAILABLE.
  Ticket Enter() {
    active_.fetch_add(1);
    return Ticket(this);
  }

  // Enter() on `tracker`, or a ticket that counts nothing when it is null.
  static Ticket EnterIfAny(CallTracker* tracker) {
    return tracker != nullptr ? tracker->Enter() : Ticket();
  }

  // From now on handlers refuse new calls (UNAVAILABLE) instead of starting them.
  void BeginDrain() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  // Blocks until no call is counted or `until` passes; returns whether none is counted.
  bool WaitIdle(std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(mu_);
    return idle_.wait_until(lock, until, [this] { return active_.load() == 0; });
  }

  size_t active() const { return active_.load(); }

 private:
  void Exit() {
    // The last call out wakes a waiting WaitIdle. Sequentially consistent operations on active_
    // and draining_ mean that either this sees draining_ set or WaitIdle sees the count at zero;
    // taking mu_ orders the notification after the waiter's check, so no wake-up is lost.
    if (active_.fetch_sub(1) == 1 && draining()) {
      std::lock_guard lock(mu_);
      idle_.notify_all();
    }
  }

  std::atomic<size_t> active_{0};
  std::atomic<bool> draining_{false};
  std::mutex mu_;
  std::condition_variable idle_;
};

}  // namespace archivum::api
