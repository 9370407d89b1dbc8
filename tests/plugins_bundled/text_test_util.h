// Helpers for the text plugin's tests: ExtractText into a recording TextSink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "text/text_extractor.h"

namespace archivum::bundled::text::testing {

// What ExtractText emitted, in order.
struct Extraction {
  Outcome outcome = Outcome::kText;
  std::string text;
  std::vector<std::string> pieces;
  std::vector<std::pair<std::string, std::string>> findings;
  int cancel_polls = 0;

  // The first value of `key`, or "" if there is none.
  std::string Finding(std::string_view key) const {
    for (const auto& [k, v] : findings) {
      if (k == key) return v;
    }
    return "";
  }
  // Every value of `key`, in order.
  std::vector<std::string> All(std::string_view key) const {
    std::vector<std::string> values;
    for (const auto& [k, v] : findings) {
      if (k == key) values.push_back(v);
    }
    return values;
  }
};

// Records everything; refuses text beyond `text_budget` bytes (as the host does with its output
// budget) and reports cancellation from the `cancel_after`-th poll on (never if negative).
class RecordingTextSink final : public TextSink {
 public:
  explicit RecordingTextSink(Extraction& out, size_t text_budget = SIZE_MAX, int cancel_after = -1)
      : out_(out), text_budget_(text_budget), cancel_after_(cancel_after) {}

  bool Text(std::string_view piece) override {
    if (out_.text.size() + piece.size() > text_budget_) return false;
    out_.text += piece;
    out_.pieces.emplace_back(piece);
    return true;
  }
  void Finding(std::string_view key, std::string_view value) override {
    out_.findings.emplace_back(key, value);
  }
  bool Cancelled() override {
    ++out_.cancel_polls;
    return cancel_after_ >= 0 && out_.cancel_polls > cancel_after_;
  }

 private:
  Extraction& out_;
  size_t text_budget_;
  int cancel_after_;
};

inline Extraction Extract(std::string_view content, std::string_view mime = "text/plain",
                          const Options& options = {}) {
  Extraction out;
  RecordingTextSink sink(out);
  out.outcome = ExtractText(content, mime, options, sink);
  return out;
}

// True if `s` is well-formed UTF-8 (what the host requires of every string a plugin emits).
inline bool WellFormed(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const Utf8Step step = DecodeUtf8(s.substr(i));
    if (!step.valid) return false;
    i += step.length;
  }
  return true;
}

}  // namespace archivum::bundled::text::testing
