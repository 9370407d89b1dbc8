// Values the plugin pipeline produces. Plain data, safe to copy between threads; nothing here
// points into a plugin library.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  std::vector<std::string> analyzers;  // "name@version" of each plugin that ran
  uint32_t errors = 0;                 // plugins that failed on this file
  bool cancelled = false;              // the pipeline stopped early: FileInput::cancelled
  bool deadline_exceeded = false;      // the pipeline stopped early: FileInput::deadline passed
};

// One result of a plugin query verb.
struct QueryHit {
  std::string plugin;
  std::string path;
  double score = 0;
  std::string detail;
};

}  // namespace archivum::plugins
