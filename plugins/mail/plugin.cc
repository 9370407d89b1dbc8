// The `mail` plugin: extract stage, e-mail messages (.eml) and mbox mailboxes (GMime 3).
//
// Accepts message/rfc822 and application/mbox (the filetype plugin gives mail that libmagic calls
// text/plain those types; see common/mail_sniff.h). Routed text/plain by a setting, it reads
// only what looks like mail and returns UNSUPPORTED for other text.
// Config: {"max_text": <size, default 4M>: bytes of text emitted per message at most}.
// A message: findings from, to, cc, subject, date, message_id (plugin-api/README.md) and
// "truncated"; its subject and body as text; attachments and attached messages as streamed
// children; tag "encrypted" (see message_reader.h). An mbox: each message as a streamed child
// "message-N.eml" and the finding "messages" (see mbox_reader.h). Input that is not mail of the
// type the host routed returns ARCHIVUM_ERROR; input past the parser's limits (parse_guard.h)
// ARCHIVUM_RESOURCE_EXHAUSTED.
#include "archivum/plugin.hpp"

#include <string_view>

#include "mail/gmime_util.h"
#include "mail/mail_extractor.h"

namespace archivum::bundled::mail {
namespace {

class MailPlugin {
 public:
  static constexpr std::string_view kName = "mail";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "Reads e-mail messages (.eml) and mbox mailboxes: addresses, subject, date, body text, "
      "attachments";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  static constexpr std::string_view kAccept[] = {"message/rfc822", "application/mbox"};
  // Options are immutable and each call builds its own GMime objects (see mail_extractor.h).
  static constexpr bool kThreadSafe = true;

  MailPlugin(std::string_view config_json, const sdk::Host& /*host*/)
      : options_(ParseOptions(config_json)) {
    EnsureGMime();
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    return ProcessMail(file, sink, options_);
  }

 private:
  const MessageOptions options_;
};

}  // namespace
}  // namespace archivum::bundled::mail

ARCHIVUM_PLUGIN(archivum::bundled::mail::MailPlugin)
