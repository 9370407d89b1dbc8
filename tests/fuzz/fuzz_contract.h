// What the plugin harnesses check of a plugin's output, shared: a broken contract aborts (so
// libFuzzer keeps the input), strings must be valid UTF-8.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archivum/plugin.h"
#include "common/utf8.h"

namespace archivum::fuzz {

// Reports `what` on stderr and aborts.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

inline bool ValidUtf8(std::string_view s) {
  while (!s.empty()) {
    const auto step = archivum::bundled::DecodeUtf8(s);
    if (!step.valid) return false;
    s.remove_prefix(step.length);
  }
  return true;
}

// A copy of a plugin's string (empty for a null one).
inline std::string View(archivum_str s) {
  return s.size == 0 ? std::string() : std::string(s.data, s.size);
}

}  // namespace archivum::fuzz
