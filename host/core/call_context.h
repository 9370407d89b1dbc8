// What a transport (gRPC, HTTP) tells the service core about one call.
//
// Thread safety: read-only once the call starts; `cancelled` must be safe to call from the
// thread running the call.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace archivum::core {

struct CallContext {
  // When the caller stops waiting; max() for no deadline.
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  // True once the caller went away. May be empty (never cancelled).
  std::function<bool()> cancelled;
  // Request metadata with lower-cased keys ("authorization", ...).
  std::multimap<std::string, std::string> metadata;

  bool IsCancelled() const { return cancelled && cancelled(); }
  bool PastDeadline() const { return std::chrono::system_clock::now() >= deadline; }
};

}  // namespace archivum::core
