// Admission control: at most N of something at once, refused rather than queued past that.
//
// Ingests hold files open, threads busy and memory for results; queueing more of them behind a
// full house only makes every client wait longer. A caller that is refused gets
// RESOURCE_EXHAUSTED and may retry.
//
// Thread safety: TryEnter, Enter and Ticket destruction are safe from any thread. The counter must
// outlive its tickets.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace archivum::core {

class AdmissionCounter {
 public:
  // Holds one admitted slot; releases it on destruction.
  class Ticket {
   public:
    ~Ticket() { counter_->Release(); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

   private:
    friend class AdmissionCounter;
    explicit Ticket(AdmissionCounter* counter) : counter_(counter) {}
    AdmissionCounter* counter_;
  };

  // `limit` of 0 admits nothing.
  explicit AdmissionCounter(unsigned limit) : limit_(limit) {}
  AdmissionCounter(const AdmissionCounter&) = delete;
  AdmissionCounter& operator=(const AdmissionCounter&) = delete;

  // A ticket if fewer than limit() are held, else null.
  std::unique_ptr<Ticket> TryEnter() {
    std::lock_guard lock(mu_);
    if (held_ >= limit_) return nullptr;
    ++held_;
    return std::unique_ptr<Ticket>(new Ticket(this));
  }

  unsigned limit() const {
    std::lock_guard lock(mu_);
    return limit_;
  }
  // A new limit for later TryEnter calls (a live reload); tickets already held stay valid, so
  // more than `limit` may be held until they are released.
  void set_limit(unsigned limit) {
    {
      std::lock_guard lock(mu_);
      limit_ = limit;
    }
    released_.notify_all();  // a larger limit admits waiting Enter calls
  }

  // Waits for a ticket as long as `cancelled` returns false (checked at least every `recheck`);
  // null once it returns true. For work that must not be dropped (watch mode), which queues
  // behind the calls instead of failing.
  template <typename Cancelled>
  std::unique_ptr<Ticket> Enter(Cancelled&& cancelled, std::chrono::milliseconds recheck) {
    std::unique_lock lock(mu_);
    while (held_ >= limit_) {
      if (cancelled()) return nullptr;
      released_.wait_for(lock, recheck);
    }
    ++held_;
    return std::unique_ptr<Ticket>(new Ticket(this));
  }
  unsigned held() const {
    std::lock_guard lock(mu_);
    return held_;
  }

 private:
  void Release() {
    {
      std::lock_guard lock(mu_);
      --held_;
    }
    released_.notify_one();
  }

  mutable std::mutex mu_;
  unsigned limit_;                    // guarded by mu_
  unsigned held_ = 0;                 // guarded by mu_
  std::condition_variable released_;  // signalled when a ticket is released
};

}  // namespace archivum::core
