// Plugin: one analyzer plugin as the host sees it, wherever it runs. The seam between the
// pipeline (which routes files through the stages, enforces deadlines and merges results) and
// the placement of a plugin's code: in this process (inprocess/), or in a worker process.
// Everything crossing it is a host type; nothing here knows the C ABI.
//
// Ownership: a PluginRegistry owns its Plugins. Thread safety: Process, Query and Flush may be
// called concurrently from any thread; an implementation serializes the calls of a plugin whose
// manifest is not thread_safe. The counters may be read at any time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "os/anonymous_file.h"
#include "plugins/manifest.h"

namespace archivum::plugins {

// How a call ended: the ABI's return codes, with the same values. A plugin may return a code
// outside this list; it is kept as it is (and counts as a failure).
enum class CallCode : int32_t {
  kOk = 0,
  kError = 1,
  kInvalidArgument = 2,
  kUnsupported = 3,  // the file is not for this plugin after all: not an error, output dropped
  kCancelled = 4,
  kResourceExhausted = 5,
  kNotFound = 6,
};

// "ok" | "error" | "invalid argument" | ... | "return code N".
std::string CallCodeName(CallCode code);

// How many child documents one call may hand over, and how many bytes in all.
struct ChildBudget {
  bool allowed = true;  // false: nesting is at ingest.max_depth, no child is taken
  uint64_t max_children = UINT64_MAX;
  uint64_t max_bytes = UINT64_MAX;
};

// One file on its way through the pipeline, as the host hands it over.
struct FileInput {
  std::string path;  // catalog path
  std::string display_name;
  uint64_t size = 0;
  std::string_view bytes;  // read-only content, valid during the calls
  // A read-only descriptor whose `size` bytes from fd_offset are `bytes` (the file itself), or -1.
  // The process placement hands it to the worker; without it, it copies `bytes` into a memfd.
  int fd = -1;
  uint64_t fd_offset = 0;  // `bytes` start this far into `fd` (page-aligned): a streamed child
  std::string mime;        // known before the pipeline runs (usually empty)
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> cancelled;  // may be empty; called from the calling thread
  // Drops [offset, offset + length) of `bytes` from memory (a hint, see
  // archivum_file.release_bytes). May be empty.
  std::function<void(uint64_t offset, uint64_t length)> release;
  // What the file's containers leave for its children (ingest.max_depth, max_members,
  // max_expanded_size minus what earlier members took): a call's sink refuses children beyond
  // it (ARCHIVUM_RESOURCE_EXHAUSTED) and counts the refusals in PluginOutput.
  ChildBudget child_budget;
};

// One Process call: the file, and what the stages before this plugin made of it.
struct PluginInput {
  const FileInput* file = nullptr;  // never null
  std::string_view mime;            // detected so far (may be empty)
  std::string_view text;            // extracted so far
  // The binding limit of this call: the file's deadline or the plugin's timeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// A child document a call handed over (emit_child, or begin_child ... end_child).
struct ChildOutput {
  std::string name;   // as the plugin gave it (the pipeline sanitizes it)
  std::string bytes;  // given whole (emit_child); empty when streamed
  // Streamed: the bytes are PluginOutput::spool[offset, offset + size); offset is page-aligned.
  bool streamed = false;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::vector<std::pair<std::string, std::string>> findings;  // child_finding: key, value
  std::vector<std::string> tags;                              // child_tag

  uint64_t byte_count() const { return streamed ? size : bytes.size(); }
};

// What one Process call emitted and how it ended. Only the output of a kOk call is used.
struct PluginOutput {
  CallCode code = CallCode::kOk;
  std::string error;  // the plugin's reason for a code other than kOk (may be empty)
  // When the call returned, if the caller asked for it (need_finish_time) or it was sampled.
  std::optional<std::chrono::steady_clock::time_point> finished;
  std::optional<std::string> mime;  // set_mime (detect stage only)
  std::string text;
  // The parts of `text` that came with a kind (emit_text_as, e.g. "ocr"), in order; the rest of
  // the text has none.
  struct TextSpan {
    uint64_t offset = 0;
    uint64_t size = 0;
    std::string kind;
  };
  std::vector<TextSpan> text_spans;
  // The preview (emit_preview; the last one of the call), checked: kPreviewMimes, leading bytes
  // and kMaxPreviewBytes.
  struct Preview {
    std::string mime;
    std::string bytes;
  };
  std::optional<Preview> preview;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> findings;  // key, value
  std::vector<ChildOutput> children;                          // in the order they were completed
  // The bytes of the streamed children (ChildOutput::streamed), or null if there are none.
  std::shared_ptr<os::AnonymousFile> spool;
  uint64_t refused = 0;  // emits the host refused (malformed or over the output budget)
  // Children refused for the ChildBudget: by count or depth (begin_child), and by size
  // (write_child): the host turns these into "limit" findings on the document.
  uint64_t children_refused_count = 0;
  uint64_t children_refused_size = 0;
};

// Previews (archivum_sink.emit_preview): the image types a plugin may give, and their size bound.
inline constexpr uint64_t kMaxPreviewBytes = 512 * 1024;
// Whether `bytes` start like an image of `mime`, one of "image/webp", "image/jpeg", "image/png"
// (false for any other type). The host serves previews as that type: this keeps a plugin from
// handing over, say, HTML as a thumbnail.
bool LooksLikePreview(std::string_view mime, std::string_view bytes);

// One result of a query verb.
struct QueryHit {
  std::string plugin;
  std::string path;
  double score = 0;
  std::string detail;
};

// Which files go to a plugin: its effective MIME patterns and size limit (the settings applied
// to its manifest).
struct Routing {
  std::vector<std::string> accepts;  // MIME patterns
  bool accepts_any_mime = false;     // accepts holds "*" or "*/*" (matching is skipped)
  std::vector<std::string> rejects;  // MIME patterns never routed to it
  uint64_t max_file_size = 0;        // 0: none

  // Whether a file of `size` bytes whose MIME is `mime` goes to the plugin.
  bool Routes(std::string_view mime, uint64_t size) const;
};

// Limits the host sets on what one call may emit.
struct OutputLimits {
  // Per Process call: findings, text, tags, and children given whole (emit_child). Streamed
  // children are bounded by the ChildBudget instead.
  uint64_t max_output_bytes = 256ull << 20;
  // Where streamed children are spooled (unlinked files; os::AnonymousFile); empty: in memory.
  std::filesystem::path spool_dir;
  size_t max_query_hits = 10000;  // per Query call
};

class StepBatcher;

// Where a plugin runs, for ListPlugins.
struct PlacementInfo {
  std::string isolation;                      // "inprocess" | "process"
  std::string group;                          // the worker group (process placement)
  std::vector<std::string> sandbox_warnings;  // sandbox layers missing on this kernel
  uint64_t restarts = 0;                      // workers started to replace a dead one
};

class Plugin {
 public:
  // Counters: every Process and Query call is counted, and every failure the caller reports
  // with CountError. Time is the time inside the plugin. Reading the clock costs more than
  // dispatching a cheap plugin, so not every call is timed: a plugin's first kExactlyTimedCalls
  // calls are, and after that a pseudo-random 1 in kTimeSampleEvery (chosen by the call's
  // ordinal), each sampled duration counting kTimeSampleEvery times. Calls that need a finish
  // time anyway are always timed and count once. total_time_us() is therefore exact for the
  // first calls and then an unbiased estimate whose relative error shrinks with the calls.
  static constexpr uint64_t kExactlyTimedCalls = 1024;
  static constexpr uint32_t kTimeSampleEvery = 16;

  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const Manifest& manifest() const { return manifest_; }

  // Runs the plugin over one file; fills `output` (which the caller provides empty). With
  // `need_finish_time`, output->finished is always set (for deadline checks). Never throws.
  virtual void Process(const PluginInput& input, bool need_finish_time,
                       PluginOutput* output) const = 0;

  // Answers a query verb the manifest declares. Errors carry the plugin's reason (without the
  // plugin's name): INVALID_ARGUMENT (malformed argument), NOT_FOUND (unknown subject), or
  // INTERNAL (any other failure). Never throws.
  virtual StatusOr<std::vector<QueryHit>> Query(std::string_view verb,
                                                std::string_view argument) const = 0;

  // Makes what the plugin keeps of its own for the files processed so far durable (manifest
  // flushes); OK at once for a plugin that does not. Not counted as a call. Errors: INTERNAL with
  // the plugin's reason. Never throws.
  virtual Status Flush() const = 0;

  // Placements that can run several consecutive steps of a file's stage loop in one call (a
  // worker process: one round trip per file) return the batcher the pipeline hands those steps
  // to; plugins sharing a batcher are batched together. Null: calls go to Process one by one.
  virtual const StepBatcher* batcher() const { return nullptr; }

  virtual PlacementInfo placement() const { return {"inprocess", "", {}, 0}; }

  // Whether the plugin still takes files: a placement takes a plugin out of service when it
  // keeps crashing (see MarkFailed). The pipeline skips a plugin that does not.
  bool available() const { return !failed_.load(std::memory_order_acquire); }
  // Why the plugin was taken out of service; empty while available.
  std::string failure_reason() const;
  // Takes the plugin out of service for the rest of the daemon's life; the first reason stays.
  void MarkFailed(std::string reason) const;

  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  // Calls that killed their worker (a signal, an exit, a broken channel), and calls whose
  // worker was killed at the deadline. Always 0 in process.
  uint64_t crashes() const { return crashes_.load(std::memory_order_relaxed); }
  uint64_t timeouts() const { return timeouts_.load(std::memory_order_relaxed); }
  void CountCrash() const { crashes_.fetch_add(1, std::memory_order_relaxed); }
  void CountTimeout() const { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t total_time_us() const {
    return weighted_time_ns_.load(std::memory_order_relaxed) / 1000;
  }
  // Counts a failed call (the caller decides: an error code, a timeout).
  void CountError() const { errors_.fetch_add(1, std::memory_order_relaxed); }

  // The timed calls' durations as a histogram, for the metrics (metrics/metrics.h): upper bounds
  // in seconds, and per bucket the calls it holds (the weights of the timed calls, as for
  // total_time_us(): exact for the first calls, then an unbiased estimate). Not cumulative;
  // the last bucket, one past kDurationBounds, holds the calls above every bound.
  static constexpr std::array<double, 19> kDurationBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    300};
  std::vector<uint64_t> duration_buckets() const;
  // The total time as total_time_us() has it, in seconds with nanosecond resolution.
  double total_time_seconds() const {
    return static_cast<double>(weighted_time_ns_.load(std::memory_order_relaxed)) / 1e9;
  }

 protected:
  explicit Plugin(Manifest manifest) : manifest_(std::move(manifest)) {}

  // The time weight of the call with this ordinal (0-based): see the counters above.
  static uint32_t SampleWeight(uint64_t ordinal);
  // For implementations: the counter of calls, and the time of a timed call.
  std::atomic<uint64_t>& call_counter() const { return calls_; }
  void AddTime(std::chrono::steady_clock::duration elapsed, uint32_t weight) const;

 private:
  const Manifest manifest_;
  mutable std::atomic<uint64_t> calls_{0};
  mutable std::atomic<uint64_t> errors_{0};
  mutable std::atomic<uint64_t> weighted_time_ns_{0};
  mutable std::atomic<uint64_t> crashes_{0};
  mutable std::atomic<uint64_t> timeouts_{0};
  mutable std::array<std::atomic<uint64_t>, kDurationBounds.size() + 1> duration_buckets_{};
  mutable std::atomic<bool> failed_{false};
  mutable std::mutex failure_mu_;
  mutable std::string failure_reason_;  // GUARDED_BY(failure_mu_)
};

// One plugin's turn in a file's stage loop, as a StepBatcher runs it.
struct Step {
  const Plugin* plugin = nullptr;
  // The plugin's effective routing (the one the registry applied to it); null: call it whatever
  // the file (a direct call, as Plugin::Process).
  const Routing* routing = nullptr;
  std::optional<std::chrono::milliseconds> timeout;  // the plugin's per-file budget
  // Route the step but do not call the plugin (the content is quarantined for it).
  bool skip = false;
};

// What became of one Step.
struct StepOutcome {
  bool routed = false;  // the routing matched; the plugin was called unless the step was skipped
  PluginOutput output;  // of the call (empty if killed)
  // The call's binding limit (the file's deadline or start + timeout), and whether it was the
  // plugin's timeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool plugin_timeout = false;
  // Set when the placement could not complete the call: "crashed: SIGSEGV", "timeout after 2s",
  // "worker unavailable: ...". The call's output is discarded.
  std::string failure;
  // The plugin itself caused `failure` (it crashed or hung its worker, rather than, say, the
  // worker not starting): the content is quarantined for it.
  bool blamed = false;
};

// Why a batch stopped before its last step.
enum class BatchStop { kNone, kCancelled, kDeadlineExceeded };

// Runs consecutive steps of one file's stage loop in one call (see Plugin::batcher), exactly as
// the pipeline would run them one by one: each step is routed by the MIME type the steps before
// it left (`mime` and `text` are what the steps before the batch left), the output of a step
// that returned kOk in time updates the MIME type and the text the next step sees, and before
// each routed step the batch stops if the file is cancelled or past its deadline. The pipeline
// merges the outcomes. Thread safety: Run may be called concurrently.
class StepBatcher {
 public:
  virtual ~StepBatcher() = default;
  // outcomes.size() == steps.size(); each outcome starts default. Never throws.
  virtual BatchStop Run(const FileInput& file, std::string_view mime, std::string_view text,
                        std::span<const Step> steps, std::span<StepOutcome> outcomes) const = 0;
};

// A plugin file that has been opened and whose manifest is known, before its state is created:
// the registry decides (name, settings, pins) whether to start it.
class PluginModule {
 public:
  virtual ~PluginModule() = default;
  virtual const Manifest& manifest() const = 0;
  // Creates the plugin's state with `config_json` and the data directory `data_dir` (may be
  // empty; must exist otherwise). `read_paths`: files and directories the plugin reads in create
  // (its configuration's path keys), which a sandbox must let it read. Consumes the module.
  // Errors: FAILED_PRECONDITION "create failed: <reason>".
  virtual StatusOr<std::unique_ptr<Plugin>> Start(
      const std::string& config_json, const std::filesystem::path& data_dir,
      const std::vector<std::filesystem::path>& read_paths, const OutputLimits& limits) && = 0;
};

// Where plugins run: in this process (inprocess/) or in worker processes (process/). The
// registry opens every plugin file through it, starts the modules it keeps, and then calls
// Finish once. Thread safety: used by one thread (the registry's Load).
class Placement {
 public:
  virtual ~Placement() = default;
  // Opens a plugin file. Errors are user-facing refusal reasons ("cannot load: ...", "requires
  // ABI 2.0, host provides 1.2"); on failure `*partial` holds what could be read of the manifest
  // before the refusal (e.g. the ABI version, then the name), for ListPlugins.
  virtual StatusOr<std::unique_ptr<PluginModule>> Open(const std::filesystem::path& file,
                                                       Manifest* partial) = 0;
  // Brings up the plugins started from its modules (a worker process starts them for real).
  // Returns those that could not be brought up, with the reason ("create failed: ..."); the
  // registry lists them as failed and destroys them.
  virtual std::vector<std::pair<const Plugin*, std::string>> Finish() { return {}; }
};

}  // namespace archivum::plugins
