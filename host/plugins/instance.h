// PluginInstance: a loaded, validated and created plugin: its library, manifest, host API table
// and state, plus the per-plugin lock and counters.
//
// Ownership: owns the library; the destructor calls destroy(state) and then unloads the library
// (member order guarantees it). Thread safety: Process/Query are safe to call concurrently; they
// serialize on a per-plugin mutex unless the plugin declared ARCHIVUM_FLAG_THREAD_SAFE.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "archivum/plugin.h"
#include "common/status.h"
#include "plugins/host_tables.h"
#include "plugins/library.h"
#include "plugins/manifest.h"

namespace archivum::plugins {

// The return code of one plugin call and, for failures, last_error()'s message.
struct CallOutcome {
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  std::chrono::steady_clock::duration elapsed{};
};

// "error" | "invalid argument" | ... for a return code.
std::string RcName(archivum_rc rc);

class PluginInstance {
 public:
  // Calls create(config_json, host API, &state). `data_dir` (may be empty) is passed to the
  // plugin and must already exist. Errors: "create failed: <last_error or return code>".
  static StatusOr<std::unique_ptr<PluginInstance>> Create(std::unique_ptr<PluginLibrary> library,
                                                          Manifest manifest,
                                                          const std::string& config_json,
                                                          const std::filesystem::path& data_dir);
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;
  ~PluginInstance();

  const Manifest& manifest() const { return manifest_; }
  const std::filesystem::path& path() const { return library_->path(); }

  // Runs process(). Does not touch the counters (the caller decides what counts as an error).
  CallOutcome Process(const archivum_file& file, ProcessSink& sink) const;
  // Runs query(). Precondition: the plugin registers `verb`.
  CallOutcome Query(std::string_view verb, std::string_view argument, QueryCollector& sink) const;

  // Per-plugin counters, updated by the pipeline. Thread-safe.
  void RecordCall(std::chrono::steady_clock::duration elapsed, bool failed) const;
  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  uint64_t total_time_us() const { return total_time_us_.load(std::memory_order_relaxed); }

 private:
  PluginInstance(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                 std::unique_ptr<HostApi> host);
  // Runs `call` under the plugin's lock when needed, timing it and fetching last_error on failure.
  template <class Call>
  CallOutcome Invoke(Call&& call) const;

  std::unique_ptr<PluginLibrary> library_;  // destroyed last: everything below points into it
  Manifest manifest_;
  std::unique_ptr<HostApi> host_;
  archivum_plugin_state* state_ = nullptr;
  mutable std::mutex call_mu_;  // serializes calls of plugins that are not thread-safe
  mutable std::atomic<uint64_t> calls_{0};
  mutable std::atomic<uint64_t> errors_{0};
  mutable std::atomic<uint64_t> total_time_us_{0};
};

}  // namespace archivum::plugins
