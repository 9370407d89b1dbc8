// Runs a program to completion for a test and captures what it printed and how it ended.
// Dependency-free (the standard library and POSIX only), like temp_dir.h.
//
// Thread safety: RunProcess is reentrant. It starts the child with posix_spawn, never fork, so
// it is safe in a test process that runs threads (a gRPC server, a daemon's log reader).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace archivum::testing {

struct ProcessOptions {
  // Working directory of the child; empty: the test's own.
  std::filesystem::path cwd;
  // Environment changes relative to the test's environment.
  std::map<std::string, std::string> set_env;
  std::vector<std::string> unset_env;
  // Send stderr to `out` as well, interleaved as the child wrote them (`err` stays empty).
  bool merge_stderr = false;
  // Kill the child (SIGKILL) if it is still running after this long; zero: no limit.
  std::chrono::milliseconds timeout{0};
};

struct ProcessResult {
  // The exit status; 128 + N if the child was killed by signal N; 127 if it could not start.
  int exit_code = -1;
  std::string out;         // stdout (and stderr with merge_stderr)
  std::string err;         // stderr; says why when the program could not be started
  bool timed_out = false;  // killed because options.timeout passed
};

// Runs argv[0] (searched in $PATH unless it contains a '/') with the arguments argv[1...] and
// waits for it. stdin is /dev/null; stdout and stderr go to files, so a child that leaves a
// grandchild behind holding them cannot block the call.
ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// The same for a test that checks an exit code and what was printed: stdout and stderr
// interleaved in *output (merge_stderr). Returns the exit code.
int RunProcess(const std::vector<std::string>& argv, std::string* output);

}  // namespace archivum::testing
