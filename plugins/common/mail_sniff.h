// Recognizing mail in files libmagic calls plain text.
//
// libmagic (file 5.44, Debian 12) reports an mbox as text/plain ("ASCII text": its "From "
// rule is disabled) and a message as message/rfc822 only when its first header field is one of
// a few (From, Return-Path, Received, Date, Delivered-To, Relay-Version); a message that starts
// with MIME-Version, Message-ID, Subject, To or X-Mozilla-Status is text/plain too. The filetype
// plugin refines text/plain with these functions (so the text plugin does not index a mailbox's
// raw bytes), and the mail plugin uses them when a file reaches it as text/plain anyway. They look
// at the first 64 KiB at most.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

namespace archivum::bundled::mail {

// The first line is an mbox "From " line as RFC 4155 describes it: "From ", a sender without
// spaces, then an asctime date that starts with a day of the week ("From a@b.c Mon Jan  1
// 00:00:00 2024", "From - Mon ...").
bool LooksLikeMbox(std::string_view bytes);

// The file starts with a header block (RFC 5322 "Name: value" lines and folded continuation
// lines, up to an empty line or the end of the file, within the first 64 KiB) that names at
// least two distinct fields messages carry (From, To, Cc, Subject, Date, Message-ID,
// MIME-Version, Received, Return-Path, Content-Type, ...).
bool LooksLikeMessage(std::string_view bytes);

}  // namespace archivum::bundled::mail
