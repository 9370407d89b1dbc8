// The logic of the `mail` plugin: e-mail messages (.eml) and mbox mailboxes, read with GMime 3.
//
// Thread safety: ProcessMail may run concurrently on different files. GMime's objects are not
// thread-safe, but each call builds its own (parser, streams, message), and the GMime functions
// shared between calls (gmime-charset, gmime-iconv, gmime-utils) are documented thread-safe
// (GMime FAQ, "How do I use GMime with threads?"); GMime is initialized once (EnsureGMime).
#pragma once

#include <cstdint>
#include <string_view>

#include "archivum/plugin.hpp"
#include "mail/message_reader.h"

namespace archivum::bundled::mail {

// Parses {"max_text": <size, default 4M>: bytes of text emitted per message at most}. Throws
// sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the offending key.
MessageOptions ParseOptions(std::string_view config_json);

// Reads `file` according to its MIME type: application/mbox as an mbox (ReadMbox),
// message/rfc822 as a message (ReadMessage); anything else (text/plain, see common/mail_sniff.h) as
// an mbox if LooksLikeMbox, as a message if LooksLikeMessage, and otherwise returns
// ARCHIVUM_UNSUPPORTED. Returns ARCHIVUM_OK, ARCHIVUM_CANCELLED or ARCHIVUM_UNSUPPORTED; throws
// sdk::Error for input it cannot read.
archivum_rc ProcessMail(const sdk::File& file, sdk::Sink& sink, const MessageOptions& options);

}  // namespace archivum::bundled::mail
