// The `pdf` plugin: extract stage, text and metadata of PDF documents (poppler-cpp).
//
// Config: {"thumbnails": <bool, default true>: render page 1 as the file's preview (ABI 1.4)};
// any other key is refused, so that a misspelled setting fails loudly.
// Findings (plugin-api/README.md vocabulary): pages, title, author, subject, keywords, creator,
// producer, created, modified; truncated ("true", only when the host's output limit cut the
// text short). Preview: page 1 as a WebP thumbnail. Text: page by page in reading order, pages
// separated by "\n\f\n". Tag: encrypted (a document that needs a password; nothing else is emitted
// for it). Errors: "not a readable PDF: ..." for empty, truncated or garbage files labeled or
// headed as PDF; anything else is UNSUPPORTED. See pdf_extractor.h.
#include "archivum/plugin.hpp"

#include <string_view>

#include "common/config.h"
#include "pdf/pdf_extractor.h"

namespace archivum::bundled::pdf {
namespace {

class PdfPlugin {
 public:
  static constexpr std::string_view kName = "pdf";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "Extracts the text and metadata of PDF documents (poppler)";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  static constexpr std::string_view kAccept[] = {"application/pdf"};
  // PdfExtractor::Process is safe to run concurrently; pdf_extractor.h says why.
  static constexpr bool kThreadSafe = true;

  PdfPlugin(std::string_view config_json, const sdk::Host& host)
      : config_(config_json, {"thumbnails"}), extractor_(host, config_.Bool("thumbnails", true)) {}

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    return extractor_.Process(file, sink);
  }

 private:
  const PluginConfig config_;
  const PdfExtractor extractor_;
};

}  // namespace
}  // namespace archivum::bundled::pdf

ARCHIVUM_PLUGIN(archivum::bundled::pdf::PdfPlugin)
