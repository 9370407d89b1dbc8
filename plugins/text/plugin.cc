// The `text` plugin: extract stage, text of plain-text, source, markup and data files for the
// full-text index.
//
// Config: {"max_bytes": <size, default 8M>: leading input bytes read,
//          "max_text": <size, default 4M>: bytes of UTF-8 text emitted at most}.
// Text: plain files decoded to UTF-8 from their detected charset (encoding.h), HTML through the
// Gumbo HTML5 parser, XML through libxml2 (text_extractor.h).
// Findings: charset (e.g. "utf-8", "windows-1251", "shift_jis"; see encoding.h), lines (of the
// decoded document), truncated ("true", only when a limit cut the text short), and for HTML
// title, language, author, keywords and subject, for XML language (see html_document.h,
// xml_document.h).
// Binary content (a NUL byte in the first 8 KiB, unless a UTF-16/UTF-32 BOM or uchardet says
// UTF-16/UTF-32) is refused as UNSUPPORTED.
#include "archivum/plugin.hpp"

#include <string>
#include <string_view>

#include "text/text_extractor.h"

namespace archivum::bundled::text {
namespace {

// ExtractText's output, forwarded to the host's sink. A refusal of text for the host's output
// budget (RESOURCE_EXHAUSTED) only ends the text (ExtractText then reports "truncated"); any
// other refusal is a failure that Process reports.
class Forwarder final : public TextSink {
 public:
  Forwarder(const sdk::File& file, sdk::Sink& sink) : file_(file), sink_(sink) {}

  bool Text(std::string_view piece) override {
    const archivum_rc rc = sink_.Text(piece);
    if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) refusal_ = rc;
    return rc == ARCHIVUM_OK;
  }
  void Finding(std::string_view key, std::string_view value) override { sink_.Finding(key, value); }
  bool Cancelled() override { return file_.cancelled(); }

  archivum_rc refusal() const { return refusal_; }

 private:
  const sdk::File& file_;
  sdk::Sink& sink_;
  archivum_rc refusal_ = ARCHIVUM_OK;
};

class TextPlugin {
 public:
  static constexpr std::string_view kName = "text";
  static constexpr std::string_view kVersion = "2.0.0";
  static constexpr std::string_view kDescription =
      "Extracts text from plain-text, source, HTML, XML and data files";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  static constexpr std::string_view kAccept[] = {
      "text/*",
      "application/json",
      "application/*+json",
      "application/x-ndjson",
      "application/xml",
      "application/*+xml",
      "image/svg+xml",
      "application/javascript",
      "application/x-javascript",
      "application/ecmascript",
      "application/x-sh",
      "application/x-shellscript",
      "application/x-csh",
      "application/x-yaml",
      "application/yaml",
      "application/toml",
      "application/sql",
      "application/x-php",
      "application/x-httpd-php",
      "application/x-perl",
      "application/x-ruby",
      "application/x-python",
      "application/x-tex",
      "application/x-wine-extension-ini",
  };
  static constexpr bool kThreadSafe = true;  // Options are immutable; calls share no state.

  TextPlugin(std::string_view config_json, const sdk::Host& /*host*/)
      : options_(ParseOptions(config_json)) {}

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    Forwarder forwarder(file, sink);
    const Outcome outcome = ExtractText(file.bytes(), file.mime(), options_, forwarder);
    if (forwarder.refusal() != ARCHIVUM_OK) {
      throw sdk::Error(ARCHIVUM_ERROR, "the host refused extracted text (code " +
                                           std::to_string(forwarder.refusal()) + ")");
    }
    if (outcome == Outcome::kBinary) return ARCHIVUM_UNSUPPORTED;
    if (outcome == Outcome::kCancelled) return ARCHIVUM_CANCELLED;
    return ARCHIVUM_OK;
  }

 private:
  const Options options_;
};

}  // namespace
}  // namespace archivum::bundled::text

ARCHIVUM_PLUGIN(archivum::bundled::text::TextPlugin)
