// Test helpers: a temporary directory, and running an executable to completion while capturing
// its output and exit code.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace archivum::cli::testing {

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ProcessOptions {
  // Working directory of the child; empty: the test's own.
  std::filesystem::path cwd;
  // Environment changes relative to the test's environment.
  std::map<std::string, std::string> set_env;
  std::vector<std::string> unset_env;
};

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number if the child was killed by a signal
  std::string out;
  std::string err;
};

// Runs `binary` with `args` (argv[0] is the binary) and waits for it. stdin is /dev/null; stdout
// and stderr are captured separately. Uses posix_spawn rather than fork, which is unsafe in a
// test process whose gRPC server runs threads. Throws std::runtime_error if it cannot start.
ProcessResult RunProcess(const std::string& binary, const std::vector<std::string>& args,
                         const ProcessOptions& options = {});

}  // namespace archivum::cli::testing
