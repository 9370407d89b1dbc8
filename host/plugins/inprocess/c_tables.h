// The host's side of the C ABI's function tables: the host API given to create(), the file and
// the sink given to process(), the query sink given to query().
//
// Each object owns its C table and is its ctx; the table's pointer is valid while the object
// lives. Everything a plugin emits is validated (non-NULL data, UTF-8 strings, non-empty keys,
// output budget) and copied before the callback returns, as plugin.h promises.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archivum/plugin.h"
#include "plugins/plugin.h"

namespace archivum::plugins::inprocess {

// Logs a plugin's message to spdlog, prefixed with the plugin name.
void LogFromPlugin(std::string_view plugin, archivum_log_level level, std::string_view message);

// The host API of one plugin instance. Thread-safe; must outlive the plugin state.
class HostApi {
 public:
  HostApi(std::string plugin_name, std::string data_dir);
  HostApi(const HostApi&) = delete;
  HostApi& operator=(const HostApi&) = delete;
  const archivum_host_api* table() const { return &table_; }

 private:
  static void Log(void* ctx, archivum_log_level level, archivum_str message);

  const std::string plugin_name_;
  const std::string data_dir_;
  archivum_host_api table_{};
};

// The sink of one process() call: it writes what the plugin emits into a PluginOutput.
// Streamed children (ABI 1.3) go to an AnonymousFile created on the first begin_child, each one
// starting on a page boundary; children, whole or streamed, are bounded by the file's
// ChildBudget, and each refusal is counted in the output.
// Thread-safe (callbacks are serialized by a mutex).
class ProcessSink {
 public:
  // `plugin_name` (for log lines) is not copied and must outlive the sink; so must `output`,
  // whose mime, text, tags, findings and children the sink fills, and `spool_dir`.
  // `may_set_mime`: only detect-stage plugins may. `max_bytes`: total bytes the call may emit
  // (children streamed excepted). `budget`: the children it may hand over.
  ProcessSink(std::string_view plugin_name, bool may_set_mime, uint64_t max_bytes,
              const ChildBudget& budget, const std::filesystem::path& spool_dir,
              PluginOutput* output);
  ProcessSink(const ProcessSink&) = delete;
  ProcessSink& operator=(const ProcessSink&) = delete;

  const archivum_sink* table() const { return &table_; }
  // Call once process() has returned: drops a child left open and stores the refusal counters
  // in the output.
  void Finish();

 private:
  static archivum_rc EmitFinding(void* ctx, archivum_str key, archivum_str value);
  static archivum_rc EmitText(void* ctx, archivum_str text);
  static archivum_rc EmitTag(void* ctx, archivum_str tag);
  static archivum_rc EmitChild(void* ctx, archivum_str name, archivum_bytes bytes);
  static archivum_rc SetMime(void* ctx, archivum_str mime);
  static void Log(void* ctx, archivum_log_level level, archivum_str message);
  static archivum_rc BeginChild(void* ctx, archivum_str name);
  static archivum_rc WriteChild(void* ctx, archivum_bytes bytes);
  static archivum_rc ChildFinding(void* ctx, archivum_str key, archivum_str value);
  static archivum_rc ChildTag(void* ctx, archivum_str tag);
  static archivum_rc EndChild(void* ctx);
  static archivum_rc EmitPreview(void* ctx, archivum_str mime, archivum_bytes bytes);
  static archivum_rc EmitTextAs(void* ctx, archivum_str kind, archivum_str text);
  // Charges `n` bytes to the budget; false if it is exhausted.
  bool Charge(uint64_t n);
  // Counts a refusal and returns `rc`.
  archivum_rc Refuse(archivum_rc rc);
  // Whether one more child fits the budget's count (and depth); counts a refusal if not.
  bool TakeChildSlot();
  // Drops the open child's bytes from the spool.
  void DropOpenChild();

  const std::string_view plugin_name_;
  const bool may_set_mime_;
  const uint64_t max_bytes_;
  const ChildBudget budget_;
  const std::filesystem::path& spool_dir_;
  std::mutex mu_;
  uint64_t used_bytes_ = 0;  // GUARDED_BY(mu_)
  PluginOutput* output_;     // GUARDED_BY(mu_)
  // The streamed child being written, if any; all GUARDED_BY(mu_).
  std::optional<ChildOutput> open_;
  bool open_dropped_ = false;  // the open child went over the budget: its bytes are gone
  uint64_t child_bytes_ = 0;   // bytes of the children handed over
  uint64_t children_ = 0;      // children handed over or open
  uint64_t refused_count_ = 0, refused_size_ = 0;
  std::atomic<uint64_t> refused_{0};
  archivum_sink table_{};
};

// The sink of one query() call. Thread-safe.
class QueryCollector {
 public:
  QueryCollector(std::string plugin_name, size_t max_hits);
  QueryCollector(const QueryCollector&) = delete;
  QueryCollector& operator=(const QueryCollector&) = delete;

  const archivum_query_sink* table() const { return &table_; }
  std::vector<QueryHit>& hits() { return hits_; }

 private:
  static archivum_rc EmitHit(void* ctx, archivum_str path, double score, archivum_str detail);
  static void Log(void* ctx, archivum_log_level level, archivum_str message);

  const std::string plugin_name_;
  const size_t max_hits_;
  std::mutex mu_;
  std::vector<QueryHit> hits_;  // GUARDED_BY(mu_)
  archivum_query_sink table_{};
};

// archivum_file for one call. Owns nothing; valid while `input` and what it refers to live.
class FileView {
 public:
  explicit FileView(const PluginInput& input);
  const archivum_file* get() const { return &file_; }

 private:
  static int32_t IsCancelled(void* ctx);
  static void Release(void* ctx, uint64_t offset, uint64_t length);
  archivum_file file_{};
};

// steady_clock (CLOCK_MONOTONIC on Linux) to the ABI's nanoseconds; time_point::max() -> INT64_MAX.
int64_t ToMonotonicNs(std::chrono::steady_clock::time_point t);

}  // namespace archivum::plugins::inprocess
