// The hand-off between a server-streaming call (producer, on a worker thread) and the connection
// writing it as newline-delimited JSON (consumer, on the connection's strand).
//
// Each message becomes one line `{"result":{...}}\n`; a failed call ends with
// `{"error":{"code":..,"message":"..","details":[]}}\n` (grpc-gateway's stream format). The queue
// is bounded: Push blocks while `capacity` lines wait to be written, so a slow client slows the
// producer instead of growing memory, and returns false once the consumer aborted (the client
// went away), which the producer turns into "stop".
//
// Thread safety: every method is safe to call from any thread. The producer calls Push and
// Close; the consumer calls Pop and Abort. Nothing here calls back into the connection: the
// producer wakes the consumer itself after Push/Close (see Session).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"

namespace archivum::api::gateway {

// `{"result":<message_json>}\n`
std::string ResultLine(const std::string& message_json);
// `{"error":<google.rpc.Status JSON>}\n`
std::string ErrorLine(const Status& status);

class NdjsonQueue {
 public:
  explicit NdjsonQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Producer: appends a line, blocking while the queue is full. False (line dropped) once
  // Abort() was called.
  bool Push(std::string line);
  // Producer: no more lines; `final` is the call's outcome.
  void Close(Status final);

  // Consumer: what to do next.
  struct Item {
    enum class Kind { kLine, kEnd, kEmpty } kind = Kind::kEmpty;
    std::string line;  // kLine: the next line, removed from the queue
    Status final;      // kEnd: the call's outcome (after every line was popped)
  };
  Item Pop();
  // Consumer: the lines cannot be delivered; wakes a blocked producer and fails further pushes.
  void Abort();

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable space_;
  std::deque<std::string> lines_;  // guarded by mu_
  bool closed_ = false;            // guarded by mu_
  bool aborted_ = false;           // guarded by mu_
  Status final_;                   // guarded by mu_
};

}  // namespace archivum::api::gateway
