// The per-file stage loop: detect -> extract -> analyze over the loaded plugins.
//
// Per stage, in load order, each loaded plugin of that stage runs if its accept patterns (or the
// settings' override) match the current MIME, no reject pattern matches, and the file is within
// its max_file_size. Detect plugins may set the MIME for later stages; text emitted so far is
// passed on. A plugin failure (an error code, an escaped exception, a timeout, a crash of its
// worker) discards that plugin's output and adds an "error" finding; the other plugins still
// run. A call that returns after its binding limit (the file's deadline or the plugin's timeout,
// whichever is first) is a timeout and its output is discarded; a plugin in process is not
// interrupted, one in a worker process is killed with its worker (plugins/process/). The loop
// stops early when the file is cancelled or past its deadline. A plugin taken out of service
// (Plugin::available) is skipped.
//
// Consecutive plugins that share a StepBatcher (a worker process's group) run as one batch: one
// round trip per file. The result is the same as running them one by one.
//
// Quarantine (quarantine.h): a plugin is never handed content that crashed or hung it before
// (same SHA-256, same plugin version): the file gets an "error" finding from the plugin saying
// so instead. A call that crashes or hangs its worker quarantines the content for that plugin.
// The content is hashed only when the quarantine holds entries for one of the file's plugins,
// or after a crash.
//
// Thread safety: Process may be called concurrently; Stages is immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/quarantine.h"
#include "plugins/plugin.h"
#include "plugins/registry.h"
#include "store/catalog.h"

namespace archivum::pipeline {

struct Finding {
  std::string plugin;  // name of the plugin that reported it
  std::string key;     // "error" for a failure the host recorded on the plugin's behalf
  std::string value;
};

// A child document a plugin handed over, with the spool that holds its bytes if it was
// streamed (shared by the plugin's other children).
struct ChildDocument {
  std::string plugin;
  plugins::ChildOutput child;
  std::shared_ptr<os::AnonymousFile> spool;
};

// The "name@version" ids of the plugins that ran on a file, in order: a sequence of string_views
// that stores up to kInline of them without allocating (the pipeline fills one per file and
// plugin; an allocation would cost more than dispatching a cheap plugin). A standard-container
// subset: iteration, size, empty, operator[], push_back.
class AnalyzerList {
 public:
  using value_type = std::string_view;
  using const_iterator = const std::string_view*;
  using iterator = const_iterator;
  using const_reference = const std::string_view&;
  using reference = const_reference;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;

  void push_back(std::string_view id) {
    if (size_ < kInline) {
      new (storage_ + size_ * sizeof(std::string_view)) std::string_view(id);
    } else {
      if (size_ == kInline) spill_.assign(inline_begin(), inline_begin() + kInline);
      spill_.push_back(id);
    }
    ++size_;
  }
  const_iterator begin() const { return size_ <= kInline ? inline_begin() : spill_.data(); }
  const_iterator end() const { return begin() + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view operator[](size_t i) const { return begin()[i]; }

 private:
  static constexpr size_t kInline = 8;
  const std::string_view* inline_begin() const {
    return std::launder(reinterpret_cast<const std::string_view*>(storage_));
  }
  // Raw storage rather than std::array<std::string_view, kInline>: value-initializing 128 bytes
  // for every file (a `rep stos`) costs a noticeable share of a dispatch. The first
  // min(size_, kInline) slots hold string_views (trivially copyable, so the implicit copy of the
  // bytes copies them).
  alignas(std::string_view) unsigned char storage_[kInline * sizeof(std::string_view)];
  size_t size_ = 0;
  std::vector<std::string_view> spill_;  // all ids once there are more than kInline
};

// What the stages made of one file. Plain data; `analyzers` views strings the registry owns.
struct ProcessResult {
  std::string mime;  // set by a detect plugin, else the input MIME
  std::string text;  // extracted text (concatenated emits)
  // The parts of `text` plugins marked with a kind (emit_text_as), in order.
  std::vector<store::TextPart> text_parts;
  // The first plugin's preview (stage order, then load order).
  std::optional<store::Preview> preview;
  std::vector<std::string> tags;
  std::vector<Finding> findings;  // includes error findings: key "error", plugin = name
  std::vector<ChildDocument> children;
  // Children the plugins' sinks refused for the file's ChildBudget (plugins::PluginOutput).
  uint64_t children_refused_count = 0;
  uint64_t children_refused_size = 0;
  // "name@version" of each plugin that ran. The views point into the PluginRegistry: valid while
  // it lives (copy them to keep them longer).
  AnalyzerList analyzers;
  uint32_t errors = 0;             // plugins that failed on this file
  bool cancelled = false;          // the loop stopped early: FileInput::cancelled
  bool deadline_exceeded = false;  // the loop stopped early: FileInput::deadline passed
  // A plugin was not handed this content because it is quarantined, or quarantined it now: the
  // document is recorded for analysis again, so that a cleared entry takes effect at the next
  // ingest even if the file has not changed.
  bool quarantined = false;
};

class Stages {
 public:
  // `registry` must outlive the stages; its loaded plugins are the ones that run. `quarantine`
  // may be null (nothing is quarantined); else it must outlive the stages. Only the stages up to
  // `last` run (kExtract: what a file holds, without analyzing it).
  explicit Stages(const plugins::PluginRegistry& registry, Quarantine* quarantine = nullptr,
                  plugins::Stage last = plugins::Stage::kAnalyze);

  // Runs the loop over one file; see the file comment. Updates the plugins' counters. The clock
  // is read only when the file has a deadline or a plugin a timeout, or for sampled calls.
  ProcessResult Process(const plugins::FileInput& file) const;

 private:
  // The content's SHA-256, computed on first use.
  class Digest;
  // Whether `p` must not be handed this content; if so records the finding that says why.
  bool Quarantined(const plugins::LoadedPlugin& p, Digest& digest, ProcessResult* result) const;
  // Handles one routed step's output: a failure becomes an error finding (and a crash or hang
  // quarantines the content), kOk output is merged. Returns false if the loop must stop (the
  // file was cancelled).
  bool Settle(const plugins::LoadedPlugin& p, const plugins::FileInput& file, Digest& digest,
              plugins::StepOutcome& outcome, bool has_limit, ProcessResult* result) const;

  Quarantine* const quarantine_;

  // The loaded plugins in the order they run: by stage, then in load order.
  std::vector<const plugins::LoadedPlugin*> order_;
};

}  // namespace archivum::pipeline
