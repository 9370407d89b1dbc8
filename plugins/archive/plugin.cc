// The `archive` plugin: extract stage. Streams the members of ZIP, TAR (plain or compressed), 7z,
// RAR, cpio, ISO 9660, ar/.deb archives and of single-file compressed streams (.gz, .bz2, .xz,
// .lzma, .lz, .zst, .lz4, .Z) as child documents, which re-enter the pipeline. What it emits is
// described at ExtractMembers (archive_extractor.h).
//
// Config: none ("{}"; any key is refused).
#include "archivum/plugin.hpp"

#include <string_view>

#include "archive/archive_extractor.h"
#include "common/config.h"

namespace archivum::bundled::archives {
namespace {

class ArchivePlugin {
 public:
  static constexpr std::string_view kName = "archive";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "Streams the members of ZIP, TAR, 7z, RAR, cpio, ISO 9660 and ar archives and of "
      "compressed files as child documents";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  // The types libmagic (file 5.44) gives these formats. Not the ZIP-based document formats
  // (OOXML, ODF, EPUB): the office plugin reads those as documents.
  static constexpr std::string_view kAccept[] = {
      "application/zip",
      "application/x-zip",
      "application/x-tar",
      "application/gzip",
      "application/x-gzip",
      "application/x-bzip2",
      "application/x-xz",
      "application/x-lzma",
      "application/x-lzip",
      "application/zstd",
      "application/x-lz4",
      "application/x-compress",
      "application/x-7z-compressed",
      "application/x-rar",
      "application/vnd.rar",
      "application/x-cpio",
      "application/x-iso9660-image",
      "application/x-archive",
      "application/vnd.debian.binary-package",
  };
  // Each call has its own libarchive reader; the plugin keeps no state.
  static constexpr bool kThreadSafe = true;

  ArchivePlugin(std::string_view config_json, const sdk::Host& /*host*/) {
    const PluginConfig config(config_json, {});
    CheckLibarchive();
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) { return ExtractMembers(file, sink); }
};

}  // namespace
}  // namespace archivum::bundled::archives

ARCHIVUM_PLUGIN(archivum::bundled::archives::ArchivePlugin)
