// The `text` plugin: extract stage, text of plain-text, source, markup and data files for the
// full-text index.
//
// Config: {"max_bytes": <size, default 8M>: leading input bytes read,
//          "max_text": <size, default 4M>: bytes of UTF-8 text emitted at most}.
// Findings: charset (us-ascii, utf-8, utf-16le, utf-16be or iso-8859-1; see charset.h),
// lines (of the decoded document), truncated ("true", only when a limit cut the text short).
// Binary content (a NUL byte in the first 8 KiB, no UTF-16 BOM) is refused as UNSUPPORTED.
#include "archivum/plugin.hpp"

#include <string_view>

#include "text/text_extractor.h"

namespace archivum::bundled::text {
namespace {

// Text reaches the host in pieces of this size, so no single copy is large.
constexpr size_t kChunkSize = size_t{64} << 10;

class TextPlugin {
 public:
  static constexpr std::string_view kName = "text";
  static constexpr std::string_view kVersion = "1.0.0";
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
    const auto cancelled = [&file] { return file.cancelled(); };
    Extraction extraction = ExtractText(file.bytes(), file.mime(), options_, cancelled);
    if (extraction.outcome == Outcome::kBinary) return ARCHIVUM_UNSUPPORTED;
    if (extraction.outcome == Outcome::kCancelled) return ARCHIVUM_CANCELLED;

    bool stopped_by_cancel = false;
    archivum_rc refusal = ARCHIVUM_OK;
    EmitInChunks(extraction.text, kChunkSize, [&](std::string_view piece) {
      if (file.cancelled()) {
        stopped_by_cancel = true;
        return false;
      }
      refusal = sink.Text(piece);
      return refusal == ARCHIVUM_OK;
    });
    if (stopped_by_cancel) return ARCHIVUM_CANCELLED;
    if (refusal == ARCHIVUM_RESOURCE_EXHAUSTED) {
      extraction.truncated = true;  // the host's output budget is smaller than ours
    } else if (refusal != ARCHIVUM_OK) {
      throw sdk::Error(ARCHIVUM_ERROR,
                       "the host refused extracted text (code " + std::to_string(refusal) + ")");
    }
    sink.Finding("charset", extraction.charset);
    sink.Finding("lines", extraction.lines);
    if (extraction.truncated) sink.Finding("truncated", "true");
    return ARCHIVUM_OK;
  }

 private:
  const Options options_;
};

}  // namespace
}  // namespace archivum::bundled::text

ARCHIVUM_PLUGIN(archivum::bundled::text::TextPlugin)
