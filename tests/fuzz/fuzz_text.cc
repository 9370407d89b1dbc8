// libFuzzer harness: the text plugin's extraction (plugins/text), as its process() runs it.
//
// The input is a file's content. It is extracted three times, as plain text, as HTML and as XML
// (the MIME type picks the path): charset detection (uchardet) and conversion (ICU), HtmlToText
// (Gumbo under its memory and CPU budgets) and libxml2's reader with the recovering SAX parser.
//
// Contracts checked beyond "no crash, no sanitizer report, no escaping exception": every piece
// of text and every finding is well-formed UTF-8 (the host refuses anything else), the text stays
// within max_text, a text outcome reports its charset and line count, and a binary verdict emits
// nothing. A broken contract aborts, which libFuzzer reports.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"
#include "common/utf8.h"
#include "text/text_extractor.h"

namespace {

using archivum::bundled::text::ExtractText;
using archivum::bundled::text::Options;
using archivum::bundled::text::Outcome;

constexpr uint64_t kMaxText = 64u << 10;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

bool WellFormed(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const archivum::bundled::Utf8Step step = archivum::bundled::DecodeUtf8(s.substr(i));
    if (!step.valid) return false;
    i += step.length;
  }
  return true;
}

// Checks each call as it comes; counts what a text outcome must have emitted.
class CheckingSink final : public archivum::bundled::text::TextSink {
 public:
  bool Text(std::string_view piece) override {
    if (piece.empty()) Fail("empty piece of text");
    if (!WellFormed(piece)) Fail("text is not well-formed UTF-8");
    text_bytes_ += piece.size();
    if (text_bytes_ > kMaxText) Fail("text beyond max_text");
    return true;
  }
  void Finding(std::string_view key, std::string_view value) override {
    if (key.empty()) Fail("finding with an empty key");
    if (!WellFormed(value)) Fail("finding " + std::string(key) + " is not well-formed UTF-8");
    if (key == "charset") ++charsets_;
    if (key == "lines") ++lines_;
    ++findings_;
  }
  bool Cancelled() override { return false; }

  size_t text_bytes() const { return text_bytes_; }
  int findings() const { return findings_; }
  int charsets() const { return charsets_; }
  int lines() const { return lines_; }

 private:
  size_t text_bytes_ = 0;
  int findings_ = 0;
  int charsets_ = 0;
  int lines_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  Options options;
  options.max_text = kMaxText;
  for (const char* mime : {"text/plain", "text/html", "application/xml"}) {
    CheckingSink sink;
    Outcome outcome = Outcome::kText;
    try {
      outcome = ExtractText(content, mime, options, sink);
    } catch (const archivum::sdk::Error& e) {
      // A library failure is reported to the host as an error; only allocation failures qualify,
      // and the fuzzer's inputs are far too small for those.
      Fail(std::string(mime) + ": unexpected error: " + e.what());
    }
    if (outcome == Outcome::kBinary && (sink.findings() > 0 || sink.text_bytes() > 0)) {
      Fail(std::string(mime) + ": binary verdict after emitting");
    }
    if (outcome == Outcome::kText && (sink.charsets() != 1 || sink.lines() != 1)) {
      Fail(std::string(mime) + ": charset and lines must come once each");
    }
    if (outcome == Outcome::kCancelled) Fail(std::string(mime) + ": cancelled without a request");
  }
  return 0;
}
