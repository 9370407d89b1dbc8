// Exception containment at the boundary between a transport and the service core.
//
// Host code reports errors as Status; an exception that escapes the core is a bug. A transport
// runs every core call through Guarded so that such a bug fails that one call with INTERNAL
// instead of unwinding into gRPC or Asio and taking the daemon down.
//
// Thread safety: Guarded is reentrant; it logs through spdlog, which is thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum {

// Runs `fn` (returning Status). An exception escaping it is logged and becomes INTERNAL
// "<what> failed unexpectedly[: <what()>]"; `what` names the call (e.g. the RPC method).
template <typename Fn>
Status Guarded(std::string_view what, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const std::exception& e) {
    spdlog::error("{}: unhandled exception: {}", what, e.what());
    return Internal(std::string(what) + " failed unexpectedly: " + e.what());
  } catch (...) {
    spdlog::error("{}: unhandled non-standard exception", what);
    return Internal(std::string(what) + " failed unexpectedly");
  }
}

}  // namespace archivum
