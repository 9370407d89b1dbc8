// Process-wide logging setup (spdlog, to stderr).
//
// Text: "2026-11-24 01:02:03.456 info  message". JSON: one object per line with time, level,
// logger and msg, the message properly escaped, for log shippers.
// Thread safety: call once at start-up, before other threads log.
#pragma once

#include <string>

#include "common/status.h"

namespace archivum {

enum class LogFormat { kText, kJson };

struct LogOptions {
  std::string level = "info";  // trace | debug | info | warn | error | critical | off
  LogFormat format = LogFormat::kText;
  bool operator==(const LogOptions&) const = default;
};

// Errors: INVALID_ARGUMENT for an unknown level name.
Status ConfigureLogging(const LogOptions& log);

}  // namespace archivum
