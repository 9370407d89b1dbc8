// Value-level rules of the config schema, shared by the YAML loader and Validate() so a value set
// on the command line is held to exactly the rules of one read from a file.
//
// Private to host/config. Every check returns a message of the form
// "<what was expected>, got '<value>'"; callers prefix it with the key path (and a location).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace archivum::config {

// Inverse of ParseSize for messages: the largest exact binary suffix ("3G", "1536k", "7").
std::string FormatSize(uint64_t bytes);

// Inverse of ParseDuration for messages: the largest exact unit ("2h", "90s", "250ms").
std::string FormatDuration(Duration duration);

// `value` in single quotes for "got '...'", with control characters escaped and long values cut
// so one bad line cannot flood a log.
std::string Quote(std::string_view value);

// Plugin names become file names and metric labels: [A-Za-z0-9_.-]+.
std::optional<std::string> CheckPluginName(std::string_view name);

// MIME type or pattern: "type/subtype" of RFC 9110 token characters, '*' as a wildcard.
std::optional<std::string> CheckMimePattern(std::string_view pattern);

// 64 hex digits, either case.
std::optional<std::string> CheckSha256(std::string_view digest);

// One of trace, debug, info, warn, error, critical, off.
std::optional<std::string> CheckLogLevel(std::string_view level);

struct ListenAddress {
  std::string host;  // without brackets
  uint16_t port = 0;
};
// The parsing behind ValidateListenAddress, for callers that need the parts.
StatusOr<ListenAddress> ParseListenAddress(std::string_view address);

}  // namespace archivum::config
