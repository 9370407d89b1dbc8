// PluginInstance: a loaded, validated and created plugin: its library, manifest, host API table
// and state, plus the per-plugin lock and counters.
//
// Ownership: owns the library; the destructor calls destroy(state) and then unloads the library
// (member order guarantees it). Thread safety: Process/Query/Flush are safe to call concurrently;
// they serialize on a per-plugin mutex unless the plugin declared ARCHIVUM_FLAG_THREAD_SAFE.
//
// Counters: every call is counted (calls) and every failure the caller reports (errors), exactly.
// Time is the time spent inside the plugin's entry point (after the per-plugin lock is taken).
// Reading the clock costs more than dispatching a cheap plugin, so not every call is timed:
// a plugin's first kExactlyTimedCalls calls are, and after that a pseudo-random 1 in
// kTimeSampleEvery (chosen by hashing the call's ordinal), each sampled duration counting
// kTimeSampleEvery times. Calls the caller needs an end time for anyway (a deadline or timeout
// applies) are always timed and count once. total_time_us() is therefore exact for the first
// calls and then an unbiased estimate of the total, whose relative error shrinks with the number
// of calls.
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
  // How many calls the measured duration stands for in the time counter: 0 when the call was
  // not timed (then `finished` is unset and `elapsed` zero), 1 when it was timed because the
  // caller asked for an end time, kTimeSampleEvery for a sampled call.
  uint32_t time_weight = 0;
  std::chrono::steady_clock::duration elapsed{};
  std::chrono::steady_clock::time_point finished{};  // when the call returned, if timed
};

// "error" | "invalid argument" | ... for a return code.
std::string RcName(archivum_rc rc);

class PluginInstance {
 public:
  // See the file comment: timing policy of the counters.
  static constexpr uint64_t kExactlyTimedCalls = 1024;
  static constexpr uint32_t kTimeSampleEvery = 16;

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

  // Runs process() and counts the call. With `need_finish_time` the call is always timed and
  // CallOutcome::finished is set (for deadline checks); otherwise it may be sampled. Errors and
  // time reach the counters only through RecordCall (the caller decides what is an error).
  CallOutcome Process(const archivum_file& file, ProcessSink& sink, bool need_finish_time) const;
  // Runs query() and counts the call, as Process. Precondition: the plugin registers `verb`.
  CallOutcome Query(std::string_view verb, std::string_view argument, QueryCollector& sink) const;

  // Runs flush() if the plugin provides it (ABI 1.2; otherwise returns ARCHIVUM_OK at once),
  // under the plugin's lock when needed. Not counted as a call: the counters describe per-file
  // and per-query work. Thread-safe.
  CallOutcome Flush() const;

  // Adds a finished call's time (per its time_weight) and, if `failed`, an error to the counters.
  // Call once per outcome of Process/Query. Thread-safe.
  void RecordCall(const CallOutcome& outcome, bool failed) const;
  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  // Time spent in the plugin, estimated as the file comment describes.
  uint64_t total_time_us() const {
    return weighted_time_ns_.load(std::memory_order_relaxed) / 1000;
  }

 private:
  PluginInstance(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                 std::unique_ptr<HostApi> host);
  // Runs `call` under the plugin's lock when needed, counting it, timing it if `always_time` or
  // sampled, and fetching last_error on failure.
  template <class Call>
  CallOutcome Invoke(Call&& call, bool always_time) const;

  std::unique_ptr<PluginLibrary> library_;  // destroyed last: everything below points into it
  Manifest manifest_;
  std::unique_ptr<HostApi> host_;
  archivum_plugin_state* state_ = nullptr;
  mutable std::mutex call_mu_;  // serializes calls of plugins that are not thread-safe
  mutable std::atomic<uint64_t> calls_{0};
  mutable std::atomic<uint64_t> errors_{0};
  mutable std::atomic<uint64_t> weighted_time_ns_{0};
};

}  // namespace archivum::plugins
