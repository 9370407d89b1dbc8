// Values the plugin pipeline produces. Plain data, safe to copy between threads; nothing here
// points into a plugin library. ProcessResult::analyzers views strings the registry owns (see
// there); everything else is owned by value.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::plugins {

struct Finding {
  std::string plugin;  // name of the plugin that reported it
  std::string key;     // "error" for a failure the host recorded on the plugin's behalf
  std::string value;
};

struct ChildDocument {
  std::string plugin;
  std::string name;
  std::string bytes;
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
  // for every file (a `rep stos`) cost a noticeable share of a dispatch. The first
  // min(size_, kInline) slots hold string_views (trivially copyable, so the implicit copy of the
  // bytes copies them).
  alignas(std::string_view) unsigned char storage_[kInline * sizeof(std::string_view)];
  size_t size_ = 0;
  std::vector<std::string_view> spill_;  // all ids once there are more than kInline
};

// What the host hands the pipeline for one file.
struct FileInput {
  std::string path;  // catalog path
  std::string display_name;
  uint64_t size = 0;
  std::string_view bytes;  // read-only content (mapped), valid during Process
  std::string mime;        // detected so far (may be empty)
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> cancelled;  // may be empty; called from worker threads
  // Drops [offset, offset + length) of `bytes` from memory (a hint; see
  // archivum_file.release_bytes). May be empty.
  std::function<void(uint64_t offset, uint64_t length)> release;
};

struct ProcessResult {
  std::string mime;  // set by a detect plugin, else the input MIME
  std::string text;  // extracted text (concatenated emits)
  std::vector<std::string> tags;
  std::vector<Finding> findings;  // includes error findings: key "error", plugin = name
  std::vector<ChildDocument> children;
  // "name@version" of each plugin that ran. The views point into the PluginRegistry that made
  // the result: valid while it lives (copy them to keep them longer).
  AnalyzerList analyzers;
  uint32_t errors = 0;             // plugins that failed on this file
  bool cancelled = false;          // the pipeline stopped early: FileInput::cancelled
  bool deadline_exceeded = false;  // the pipeline stopped early: FileInput::deadline passed
};

// One result of a plugin query verb.
struct QueryHit {
  std::string plugin;
  std::string path;
  double score = 0;
  std::string detail;
};

}  // namespace archivum::plugins
