// The control block archivumd and one worker share (a memfd both map): per slot, what the
// worker's thread is doing right now. The daemon reads it to enforce deadlines and to attribute a
// crash to the file and plugin that caused it without any message from the dying worker; it
// writes a slot's cancel flag to ask a call to stop.
//
// Plain lock-free atomics in shared memory: both sides are built from the same tree, and a
// worker that scribbles over the block can only misattribute its own crash.
#pragma once

#include <atomic>
#include <cstdint>

namespace archivum::plugins::process {

struct SlotControl {
  std::atomic<int32_t> step{-1};       // index of the step running in the current request; -1 idle
  std::atomic<int32_t> last_step{-1};  // the step that ran last (also after it returned)
  std::atomic<int64_t> deadline_ns{INT64_MAX};  // the running step's binding limit (monotonic)
  std::atomic<int32_t> cancel{0};  // set by the daemon: the call should stop (is_cancelled)
  // Cleared by the daemon before it sends a request, set by the worker once it has read it: a
  // worker that dies before reading a request cannot be blamed on it.
  std::atomic<int32_t> received{0};
};

struct Control {
  static constexpr uint32_t kMaxSlots = 64;
  std::atomic<int32_t> fault_slot{-1};  // the slot whose thread took a fatal signal; -1 none
  std::atomic<int32_t> fault_signal{0};
  // While the worker starts its plugins: the index (into Init.plugins) of the one starting.
  std::atomic<int32_t> starting{-1};
  std::atomic<int32_t> reserved{0};
  SlotControl slots[kMaxSlots];
};

static_assert(std::atomic<int64_t>::is_always_lock_free &&
                  std::atomic<int32_t>::is_always_lock_free,
              "the control block is shared between processes: its atomics must be lock-free");

}  // namespace archivum::plugins::process
