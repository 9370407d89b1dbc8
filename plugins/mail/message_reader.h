// One e-mail message (RFC 5322 with MIME, a .eml file): its header fields, text and attachments.
//
// Thread safety: ReadMessage may run concurrently on different files (see gmime_util.h).
#pragma once

#include <cstdint>

#include "archivum/plugin.hpp"

namespace archivum::bundled::mail {

// The largest HTML body part (decoded, in UTF-8) reduced to text; a longer one is cut there
// (and the text marked truncated). Gumbo's tree of dense markup takes about 40 times the HTML's
// size (measured: 1 MiB of <span> elements, 50 MB), and HTML mail is rarely past 200 KiB.
inline constexpr size_t kMaxHtmlBodyBytes = size_t{512} << 10;

struct MessageOptions {
  uint64_t max_text = uint64_t{4} << 20;  // bytes of text emitted at most
};

// Reads `file` as one message with GMime and emits:
//  - findings: from, to, cc, subject, date, message_id (EmitHeaderFindings), and "truncated" =
//    "true" when a limit cut text or values short;
//  - text: the subject as the first line, then the body: each text/plain part (transfer
//    encoding undone, converted to UTF-8 from its charset), or the text of a text/html part
//    (HtmlToText, on at most kMaxHtmlBodyBytes) where the message has no plain one: of a
//    multipart/alternative, the first text/plain alternative, else the last HTML or multipart
//    one; the signed content of a multipart/signed;
//  - children, streamed: every other leaf part (a filename, Content-Disposition: attachment or a
//    type other than text/plain and text/html), its content decoded, and every attached message
//    (message/rfc822 and the like) as GMime writes it, named by ChildNamer. Children of the
//    attached messages are the host's business when it reads them in turn;
//  - tag "encrypted" for multipart/encrypted and S/MIME enveloped data, whose content is not
//    extracted, and for OpenPGP-armored encrypted text.
// Returns ARCHIVUM_OK, ARCHIVUM_CANCELLED, or ARCHIVUM_UNSUPPORTED when `sniffed` (the host
// routed the file here by a generic type such as text/plain) and it is not a message after all.
// Throws sdk::Error: ARCHIVUM_ERROR for input that is not a message, ARCHIVUM_RESOURCE_EXHAUSTED
// when it passes the parser's limits (ParseGuard).
archivum_rc ReadMessage(const sdk::File& file, sdk::Sink& sink, const MessageOptions& options,
                        bool sniffed);

}  // namespace archivum::bundled::mail
