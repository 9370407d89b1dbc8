// Recognizing mail in files the host routes to the plugin by a generic type.
//
// libmagic (file 5.44, Debian 12) reports an mbox as text/plain ("ASCII text": its "From "
// rule is disabled) and a message as message/rfc822 only when its first header field is one of
// a few (From, Return-Path, Received, Date, Delivered-To, Relay-Version); a message that starts
// with MIME-Version, Message-ID, Subject, To or X-Mozilla-Status is text/plain too. So the plugin
// also accepts text/plain and keeps only the files these functions recognize, looking at their
// first 64 KiB at most.
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
