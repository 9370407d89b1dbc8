// One Gumbo parse within a memory budget, a CPU deadline and a cancellation check; private to
// html_text.cc (see the limits described in html_text.h).
//
// Every allocation Gumbo makes goes through this class, which counts the bytes Gumbo holds and
// keeps each block in a list. When an allocation would exceed the budget, or (checked every
// kPollAllocations allocations) the calling thread's CPU clock passed the deadline or the
// cancellation check (called at most every kCancelPollNs of CPU time, as the plugin ABI asks of
// it) returns true, the allocator abandons the parse with longjmp back to the
// constructor, out of Gumbo's C frames (which own nothing but blocks from this allocator). The
// destructor frees every block still held, iteratively: gumbo_destroy_output is never called, as
// it recurses once per nesting level.
//
// Thread safety: one object per parse, used by the thread that constructed it.
#pragma once

#include <gumbo.h>

#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace archivum::bundled {

class BoundedGumboParse {
 public:
  enum class Stop { kNone, kMemory, kCpu, kCancelled };

  // Parses `html` (UTF-8). `cpu_deadline_ns` is on CLOCK_THREAD_CPUTIME_ID, INT64_MAX for none;
  // `cancelled` may be empty and must outlive the constructor call.
  BoundedGumboParse(std::string_view html, size_t max_memory, int64_t cpu_deadline_ns,
                    const std::function<bool()>& cancelled);
  ~BoundedGumboParse();
  BoundedGumboParse(const BoundedGumboParse&) = delete;
  BoundedGumboParse& operator=(const BoundedGumboParse&) = delete;

  // The parsed document, owned by this object; nullptr if the parse was stopped.
  const GumboOutput* output() const { return output_; }
  // Why the parse was stopped; kNone if it completed.
  Stop stop() const { return stop_; }

  // The thread's CPU clock in nanoseconds.
  static int64_t ThreadCpuNow();

 private:
  struct alignas(std::max_align_t) Block {
    Block* prev;
    Block* next;
    size_t size;
  };
  static constexpr unsigned kPollAllocations = 256;
  static constexpr int64_t kCancelPollNs = 1000000;

  static void* Allocate(void* self, size_t size);
  static void Deallocate(void* self, void* pointer);
  [[noreturn]] void Abandon(Stop why);
  void Run(std::string_view html);

  const size_t max_memory_;
  const int64_t cpu_deadline_ns_;
  const std::function<bool()>& cancelled_;
  Block blocks_{&blocks_, &blocks_, 0};  // sentinel of the circular list of live blocks
  size_t held_ = 0;                      // bytes of live blocks, headers included
  unsigned until_poll_ = kPollAllocations;
  int64_t next_cancel_poll_ns_ = 0;  // on the thread CPU clock
  Stop stop_ = Stop::kNone;
  GumboOutput* output_ = nullptr;
  std::jmp_buf abandon_;
};

}  // namespace archivum::bundled
