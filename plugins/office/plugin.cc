// The `office` plugin: extract stage, text and metadata of DOCX, XLSX, PPTX, ODT, ODS, ODP and
// EPUB documents (office_extractor.h says what it emits and when it fails).
//
// Config: {"max_text": <size, default 8M>: bytes of text emitted at most,
//          "max_part_size": <size, default 256M>: decompressed bytes read from one ZIP member,
//          "max_total_size": <size, default 1G>: decompressed bytes read from one document,
//          "thumbnails": <bool, default true>: a preview from the package's cover image}.
#include "archivum/plugin.hpp"

#include <string_view>

#include "office/office_extractor.h"
#include "office/xml_stream.h"

namespace archivum::bundled::office {
namespace {

class OfficePlugin {
 public:
  static constexpr std::string_view kName = "office";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "Extracts text and metadata from DOCX, XLSX, PPTX, ODT, ODS, ODP and EPUB documents";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  static constexpr std::string_view kAccept[] = {
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      "application/vnd.oasis.opendocument.text",
      "application/vnd.oasis.opendocument.text-template",
      "application/vnd.oasis.opendocument.spreadsheet",
      "application/vnd.oasis.opendocument.spreadsheet-template",
      "application/vnd.oasis.opendocument.presentation",
      "application/vnd.oasis.opendocument.presentation-template",
      "application/epub+zip",
      // A password-protected OOXML document (a compound file); any other compound file is
      // declined with ARCHIVUM_UNSUPPORTED.
      "application/encrypted",
      "application/CDFV2",
  };
  // Options are immutable and calls share no state; libxml2 is initialized in the constructor
  // (create() is never concurrent), before any concurrent parse.
  static constexpr bool kThreadSafe = true;

  OfficePlugin(std::string_view config_json, const sdk::Host& /*host*/)
      : options_(ParseOptions(config_json)) {
    InitXml();
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    return office::Process(file, sink, options_);
  }

 private:
  const Options options_;
};

}  // namespace
}  // namespace archivum::bundled::office

ARCHIVUM_PLUGIN(archivum::bundled::office::OfficePlugin)
