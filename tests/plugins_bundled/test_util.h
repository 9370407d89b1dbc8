// Helpers for the bundled plugin tests: an archivum_file / sink pair that records what a plugin
// emits, usable both with the C++ classes and through the raw ABI.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archivum/plugin.h"

namespace archivum::bundled::testing {

// A file handed to a plugin: owns copies of its content and strings and exposes them as an
// archivum_file. The
// cancellation check returns true from the `cancel_after`-th call on (never if negative).
class TestFile {
 public:
  TestFile(std::string path, std::string_view bytes, std::string mime = "", std::string text = "")
      : path_(std::move(path)), bytes_(bytes), mime_(std::move(mime)), text_(std::move(text)) {
    file_.struct_size = sizeof(file_);
    file_.path = {path_.data(), path_.size()};
    file_.display_name = file_.path;
    file_.size = bytes_.size();
    file_.mime = {mime_.data(), mime_.size()};
    file_.bytes = {reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size()};
    file_.text = {text_.data(), text_.size()};
    file_.deadline_ns = INT64_MAX;
    file_.is_cancelled = &TestFile::IsCancelled;
    file_.cancel_ctx = this;
  }
  TestFile(const TestFile&) = delete;
  TestFile& operator=(const TestFile&) = delete;

  void CancelAfter(int calls) { cancel_after_ = calls; }
  // The call's deadline on CLOCK_MONOTONIC in nanoseconds (INT64_MAX, the default: none).
  void SetDeadlineNs(int64_t deadline_ns) { file_.deadline_ns = deadline_ns; }
  int cancel_checks() const { return checks_; }
  const archivum_file* get() const { return &file_; }

 private:
  static int32_t IsCancelled(void* ctx) {
    auto* self = static_cast<TestFile*>(ctx);
    ++self->checks_;
    return self->cancel_after_ >= 0 && self->checks_ > self->cancel_after_ ? 1 : 0;
  }

  std::string path_;
  std::string bytes_;
  std::string mime_;
  std::string text_;
  archivum_file file_{};
  int cancel_after_ = -1;
  int checks_ = 0;
};

// Records everything a plugin emits during process(). Like the host, it refuses empty keys.
class RecordingSink {
 public:
  RecordingSink() {
    sink_.struct_size = sizeof(sink_);
    sink_.ctx = this;
    sink_.emit_finding = [](void* ctx, archivum_str key, archivum_str value) -> archivum_rc {
      if (key.size == 0) return ARCHIVUM_INVALID_ARGUMENT;
      auto* self = static_cast<RecordingSink*>(ctx);
      if (self->finding_list.size() >= self->max_findings) return ARCHIVUM_RESOURCE_EXHAUSTED;
      self->findings[Str(key)] = Str(value);
      self->finding_list.emplace_back(Str(key), Str(value));
      return ARCHIVUM_OK;
    };
    sink_.emit_text = [](void* ctx, archivum_str text) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (self->text.size() + text.size > self->text_budget) return ARCHIVUM_RESOURCE_EXHAUSTED;
      self->text += Str(text);
      ++self->text_calls;
      return ARCHIVUM_OK;
    };
    sink_.emit_tag = [](void* ctx, archivum_str tag) -> archivum_rc {
      static_cast<RecordingSink*>(ctx)->tags.push_back(Str(tag));
      return ARCHIVUM_OK;
    };
    sink_.emit_child = [](void* ctx, archivum_str name, archivum_bytes bytes) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (name.size == 0 || self->open_) return ARCHIVUM_INVALID_ARGUMENT;
      if (self->children.size() >= self->max_children) return ARCHIVUM_RESOURCE_EXHAUSTED;
      if (bytes.size > self->max_child_bytes) return ARCHIVUM_RESOURCE_EXHAUSTED;
      Child c;
      c.name = Str(name);
      c.bytes.assign(reinterpret_cast<const char*>(bytes.data), bytes.size);
      self->children.push_back(std::move(c));
      return ARCHIVUM_OK;
    };
    // Streaming children (ABI 1.3), with the host's refusals: max_children (begin_child) and
    // max_child_bytes per child (write_child drops the child).
    sink_.begin_child = [](void* ctx, archivum_str name) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (name.size == 0 || self->open_) return ARCHIVUM_INVALID_ARGUMENT;
      if (self->children.size() >= self->max_children) {
        ++self->refused_children;
        return ARCHIVUM_RESOURCE_EXHAUSTED;
      }
      self->open_ = true;
      self->current_ = Child{};
      self->current_.name = Str(name);
      self->current_.streamed = true;
      return ARCHIVUM_OK;
    };
    sink_.write_child = [](void* ctx, archivum_bytes bytes) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (!self->open_) return ARCHIVUM_INVALID_ARGUMENT;
      if (self->current_.dropped) return ARCHIVUM_RESOURCE_EXHAUSTED;
      ++self->child_writes;
      if (self->current_.bytes.size() + bytes.size > self->max_child_bytes) {
        self->current_.dropped = true;
        self->current_.bytes.clear();
        return ARCHIVUM_RESOURCE_EXHAUSTED;
      }
      self->current_.bytes.append(reinterpret_cast<const char*>(bytes.data), bytes.size);
      return ARCHIVUM_OK;
    };
    sink_.child_finding = [](void* ctx, archivum_str key, archivum_str value) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (!self->open_ || key.size == 0) return ARCHIVUM_INVALID_ARGUMENT;
      self->current_.findings[Str(key)] = Str(value);
      return ARCHIVUM_OK;
    };
    sink_.child_tag = [](void* ctx, archivum_str tag) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (!self->open_ || tag.size == 0) return ARCHIVUM_INVALID_ARGUMENT;
      self->current_.tags.push_back(Str(tag));
      return ARCHIVUM_OK;
    };
    sink_.end_child = [](void* ctx) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (!self->open_) return ARCHIVUM_INVALID_ARGUMENT;
      self->open_ = false;
      const bool dropped = self->current_.dropped;
      self->children.push_back(std::move(self->current_));
      return dropped ? ARCHIVUM_RESOURCE_EXHAUSTED : ARCHIVUM_OK;
    };
    // ABI 1.4: previews (the host's checks: MIME type, leading bytes, 512 KiB) and text with a
    // kind (recorded in text too, as the host indexes it).
    sink_.emit_preview = [](void* ctx, archivum_str mime, archivum_bytes bytes) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      const std::string m = Str(mime);
      const std::string b(reinterpret_cast<const char*>(bytes.data), bytes.size);
      const bool magic =
          (m == "image/webp" && b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 &&
           b.compare(8, 4, "WEBP") == 0) ||
          (m == "image/jpeg" && b.size() >= 3 && b.compare(0, 3, "\xFF\xD8\xFF") == 0) ||
          (m == "image/png" && b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0);
      if (!magic) return ARCHIVUM_INVALID_ARGUMENT;
      if (b.size() > 512 * 1024) return ARCHIVUM_RESOURCE_EXHAUSTED;
      self->preview_mime = m;
      self->preview = b;
      ++self->preview_calls;
      return ARCHIVUM_OK;
    };
    sink_.emit_text_as = [](void* ctx, archivum_str kind, archivum_str text) -> archivum_rc {
      auto* self = static_cast<RecordingSink*>(ctx);
      if (kind.size == 0 || kind.size > 32) return ARCHIVUM_INVALID_ARGUMENT;
      if (self->text.size() + text.size > self->text_budget) return ARCHIVUM_RESOURCE_EXHAUSTED;
      self->text += Str(text);
      self->text_by_kind[Str(kind)] += Str(text);
      ++self->text_calls;
      return ARCHIVUM_OK;
    };
    sink_.set_mime = [](void* ctx, archivum_str mime) -> archivum_rc {
      static_cast<RecordingSink*>(ctx)->mime = Str(mime);
      return ARCHIVUM_OK;
    };
    sink_.log = [](void* ctx, archivum_log_level level, archivum_str message) {
      static_cast<RecordingSink*>(ctx)->logs.push_back({level, Str(message)});
    };
  }
  RecordingSink(const RecordingSink&) = delete;
  RecordingSink& operator=(const RecordingSink&) = delete;

  const archivum_sink* get() const { return &sink_; }

  std::map<std::string, std::string> findings;                    // the last value of each key
  std::vector<std::pair<std::string, std::string>> finding_list;  // every finding, in order
  size_t max_findings = SIZE_MAX;  // more are refused (RESOURCE_EXHAUSTED), like the host's limit
  std::string text;
  int text_calls = 0;
  size_t text_budget = SIZE_MAX;
  std::map<std::string, std::string> text_by_kind;  // emit_text_as, by kind (also in text)
  std::string preview;                              // the last preview (emit_preview) and its type
  std::string preview_mime;
  int preview_calls = 0;
  std::vector<std::string> tags;
  std::string mime;
  struct LogLine {
    archivum_log_level level;
    std::string message;
  };
  std::vector<LogLine> logs;  // what the plugin logged about the file, in order

  // A child document, given whole (emit_child) or streamed (begin_child ... end_child).
  struct Child {
    std::string name;
    std::string bytes;
    std::map<std::string, std::string> findings;
    std::vector<std::string> tags;
    bool streamed = false;
    bool dropped = false;  // refused by write_child (over max_child_bytes); bytes are empty
  };
  std::vector<Child> children;  // in the order they were closed
  size_t max_children = SIZE_MAX;
  size_t max_child_bytes = SIZE_MAX;
  int refused_children = 0;  // begin_child calls refused for max_children
  int child_writes = 0;      // write_child calls (a streaming plugin makes many for a big child)
  bool child_open() const { return open_; }

 private:
  bool open_ = false;
  Child current_;

  static std::string Str(archivum_str s) { return s.size == 0 ? "" : std::string(s.data, s.size); }
  archivum_sink sink_{};
};

// Records query hits.
class RecordingQuerySink {
 public:
  struct Hit {
    std::string path;
    double score;
    std::string detail;
  };
  RecordingQuerySink() {
    sink_.struct_size = sizeof(sink_);
    sink_.ctx = this;
    sink_.emit_hit = [](void* ctx, archivum_str path, double score,
                        archivum_str detail) -> archivum_rc {
      static_cast<RecordingQuerySink*>(ctx)->hits.push_back(
          {std::string(path.data, path.size), score, std::string(detail.data, detail.size)});
      return ARCHIVUM_OK;
    };
    sink_.log = [](void*, archivum_log_level, archivum_str) {};
  }
  RecordingQuerySink(const RecordingQuerySink&) = delete;
  RecordingQuerySink& operator=(const RecordingQuerySink&) = delete;
  const archivum_query_sink* get() const { return &sink_; }

  std::vector<Hit> hits;

 private:
  archivum_query_sink sink_{};
};

}  // namespace archivum::bundled::testing
