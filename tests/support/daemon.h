// Test harness: starts the real `archivumd` binary on port 0 with a temporary config and store,
// and gives tests a gRPC channel to it.
//
// The daemon's stderr is drained by a thread into log(); Start() waits (bounded, 60 s) for the
// log line "gRPC listening on HOST:PORT" and reads the chosen port from it, so nothing here
// sleeps. Thread safety: one test thread uses a Daemon; log() may be called from any thread.
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace archivum::testing {

// Directory of the built executables (archivumd, archivum, archivum-plugin-check).
std::filesystem::path BinaryDir();

struct DaemonOptions {
  // Ingest roots; empty means "the daemon's own temp dir" (so tests can ingest under it).
  std::vector<std::filesystem::path> roots;
  // Plugin directories; empty means "none" (an empty temporary directory), so tests never
  // depend on which plugins happen to be built unless they ask.
  std::vector<std::filesystem::path> plugin_dirs;
  // Extra lines inside the generated `plugins:` section, indented by two spaces (e.g.
  // "  settings:\n    hash: {enabled: false}\n").
  std::string plugins_yaml;
  // Extra YAML appended verbatim to the generated config (top-level keys not generated above).
  std::string extra_yaml;
  // Extra lines inside the generated `ingest:` section, indented by two spaces.
  std::string ingest_yaml;
  // Extra lines inside the generated `server:` section, indented by two spaces.
  std::string server_yaml;
  // server.shutdown_deadline.
  std::string shutdown_deadline = "10s";
  // Extra lines inside the generated `server.grpc:` / `server.http:` sections, indented by four
  // spaces (e.g. "    tls:\n      cert: /x.pem\n").
  std::string grpc_yaml;
  std::string http_yaml;
  // Extra command-line arguments.
  std::vector<std::string> extra_args;
  // Extra environment variables of the daemon ("NAME", "value"), set over the test's own.
  std::vector<std::pair<std::string, std::string>> env;
  // log.level.
  std::string log_level = "info";
  // Also start the HTTP gateway on port 0 (its address is parsed from "HTTP listening on").
  bool http = false;
  // When the test runs as root, start the daemon without CAP_DAC_OVERRIDE and
  // CAP_DAC_READ_SEARCH (via setpriv), so file permissions apply to it as to any other user.
  bool without_dac_override = false;
};

class Daemon {
 public:
  // Writes <tmp>/archivum.yaml, starts archivumd --config on it, and waits until it serves.
  // On failure returns nullptr and fills *error (with the daemon's log).
  static std::unique_ptr<Daemon> Start(const DaemonOptions& options, std::string* error);
  ~Daemon();  // SIGKILLs the daemon if still running

  const std::string& grpc_address() const { return grpc_address_; }  // "127.0.0.1:PORT"
  const std::string& http_address() const { return http_address_; }  // empty unless http
  std::shared_ptr<grpc::Channel> channel() const;                    // plaintext
  // A channel to grpc_address() with `credentials` (e.g. grpc::SslCredentials for TLS).
  std::shared_ptr<grpc::Channel> channel(
      const std::shared_ptr<grpc::ChannelCredentials>& credentials) const;
  const std::filesystem::path& dir() const { return dir_.path(); }  // config, store, scratch
  std::filesystem::path store() const { return dir_.path() / "store"; }
  pid_t pid() const { return pid_; }

  // Everything the daemon has written to stderr so far.
  std::string log() const;
  // Blocks until `needle` appears in the log or `timeout` passes; returns whether it appeared.
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const;

  // Sends `signal` and waits for exit; returns the exit code (128+N if killed by signal N).
  int Stop(int signal = SIGTERM);

  // Live reload: rewrites the config file from `options` as Start does (same directory, store
  // and defaults; `options.env` and `extra_args` are ignored: they belong to the process), and
  // writes `yaml` verbatim instead (e.g. a broken config). Reload() sends SIGHUP.
  void RewriteConfig(const DaemonOptions& options);
  void RewriteConfig(const std::string& yaml);
  std::filesystem::path config_file() const { return dir_.path() / "archivum.yaml"; }
  void Reload() const;
  // How many times `needle` occurs in the log so far.
  size_t CountInLog(const std::string& needle) const;
  // Blocks until `needle` occurs in the log more than `count` times, or `timeout` passes.
  bool WaitForLogCount(const std::string& needle, size_t count,
                       std::chrono::milliseconds timeout) const;

 private:
  Daemon() = default;
  void DrainStderr(int fd);

  TempDir dir_;
  pid_t pid_ = -1;
  std::string grpc_address_;
  std::string http_address_;
  std::thread reader_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::string log_;   // guarded by mu_
  bool eof_ = false;  // guarded by mu_
};

// True once a file exists in `dir` (created if missing), or false after `timeout`. For a sign the
// daemon gives only in the file system (an upload's spool file appears once the server holds the
// call): it waits on inotify events, not a timer.
bool WaitForAnyFile(const std::filesystem::path& dir, std::chrono::seconds timeout);

}  // namespace archivum::testing
