// The conformance checker behind `archivum-plugin-check`: loads one plugin exactly as the
// registry does and exercises it, reporting every check; first in process, then (unless
// CheckOptions::isolated is off) again in a sandboxed worker process, as the daemon runs it.
//
// Thread safety: RunConformanceChecks is reentrant; it writes only to `out`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

namespace archivum::plugins {

struct CheckOptions {
  std::filesystem::path plugin;       // the .so to check
  std::string config_json = "{}";     // passed to create()
  unsigned threads = 4;               // concurrent callers for thread-safe plugins
  unsigned iterations = 16;           // calls per thread
  uint64_t large_size = 16ull << 20;  // bytes of the "large" sample
  uint64_t timeout_ms = 60000;        // per-call deadline handed to the plugin
  // Also check the plugin in a sandboxed worker process (archivum-worker at worker_exe), as the
  // daemon runs it by default.
  bool isolated = true;
  std::filesystem::path worker_exe;
};

// Runs the checks, printing one "[PASS]/[FAIL]/[WARN]/[SKIP] <check>: <detail>" line each and a
// final "RESULT: ..." line. Returns the number of failed checks (0: the plugin conforms).
int RunConformanceChecks(const CheckOptions& options, std::ostream& out);

}  // namespace archivum::plugins
