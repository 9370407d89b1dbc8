// The `filetype` plugin: detect stage, sets the MIME type of every file with libmagic.
//
// Config: {"bytes": <size, default 1048576>}: how many leading bytes libmagic examines;
// {"description": "always" | "non-text" (default) | "never"}: which files also get libmagic's
// human-readable description (a second libmagic pass for each such file); {"cache": <entries,
// default 4096, 0 = off>}: how many results to remember by the SHA-256 of the examined bytes,
// so that copies of a file get libmagic's answer without another pass (see Options).
// When libmagic recognizes nothing (application/octet-stream), or only a ZIP, and the file's
// name claims a document format (report.pdf, notes.docx), the name decides (MimeFromName), so
// that the format's plugin reads the file and a damaged one gets that plugin's error instead of
// passing silently; finding mime_source = "extension" says so. Plain text that is a mailbox or
// a message (an mbox "From " line, a header block; common/mail_sniff.h) becomes
// application/mbox or message/rfc822, which libmagic 5.44 misses.
// Findings: mime (also set with set_mime), mime_source, encoding (libmagic's charset, e.g. "utf-8",
// "binary"), description (libmagic's human-readable type, for the files the setting selects).
#include "archivum/plugin.hpp"

#include <string_view>

#include "common/mail_sniff.h"
#include "filetype/filetype_analyzer.h"

namespace archivum::bundled::filetype {
namespace {

class FiletypePlugin {
 public:
  static constexpr std::string_view kName = "filetype";
  static constexpr std::string_view kVersion = "1.1.0";
  static constexpr std::string_view kDescription = "Detects MIME types with libmagic";
  static constexpr sdk::Stage kStage = sdk::Stage::kDetect;
  static constexpr std::string_view kAccept[] = {"*/*"};
  static constexpr bool kThreadSafe = true;  // Detector pools its libmagic handles.
  // The result cache's size never changes an answer: resizing it re-analyzes nothing.
  static constexpr std::string_view kTuningKeys[] = {"cache"};

  FiletypePlugin(std::string_view config_json, const sdk::Host& /*host*/)
      : detector_(ParseOptions(config_json)) {}

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    Detection detection = detector_.Detect(file.bytes());
    // libmagic cannot be interrupted; honour a deadline that passed while it ran.
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    if (auto claimed = MimeFromName(detection.mime, file.display_name())) {
      detection.mime = std::string(*claimed);
      sink.Finding("mime_source", "extension");
    } else if (detection.mime == "text/plain") {
      // libmagic calls mailboxes and many messages plain text (common/mail_sniff.h).
      if (mail::LooksLikeMbox(file.bytes())) {
        detection.mime = "application/mbox";
      } else if (mail::LooksLikeMessage(file.bytes())) {
        detection.mime = "message/rfc822";
      }
    }
    sink.SetMime(detection.mime);
    sink.Finding("mime", detection.mime);
    if (!detection.encoding.empty()) sink.Finding("encoding", detection.encoding);
    if (!detection.description.empty()) sink.Finding("description", detection.description);
    return ARCHIVUM_OK;
  }

 private:
  const Detector detector_;
};

}  // namespace
}  // namespace archivum::bundled::filetype

ARCHIVUM_PLUGIN(archivum::bundled::filetype::FiletypePlugin)
