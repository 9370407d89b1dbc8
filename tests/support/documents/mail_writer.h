// Builds e-mail messages (RFC 5322 with MIME) and mbox files in memory, for the mail plugin's
// tests and the daemon tests that ingest mail. Every byte is written as given or by the encoders
// below (never by GMime, the library the plugin reads with), so a test states exactly what the
// plugin meets.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::testing {

using MailFields = std::vector<std::pair<std::string, std::string>>;

// A MIME entity: header fields (name, raw value, written "Name: value" in order), an empty
// line, then the body. With `parts`, a multipart: `body` is its preamble and each part follows a
// "--boundary" line, the last one closed by "--boundary--"; the caller puts the boundary in the
// Content-Type field (Multipart does).
struct MimeEntity {
  MailFields fields;
  std::string body;  // already transfer-encoded
  std::vector<MimeEntity> parts;
  std::string boundary;
};

// The entity as text, lines ending with "\n" (or "\r\n" with `crlf`, body bytes included).
std::string WriteEntity(const MimeEntity& entity, bool crlf = false);

// A leaf text part: Content-Type "text/<subtype>; charset=<charset>" and the body (bytes in that
// charset) encoded with `encoding`: "8bit" (as is), "quoted-printable" or "base64".
MimeEntity TextPart(std::string_view subtype, std::string_view charset, std::string_view body,
                    std::string_view encoding = "8bit");
// An attachment: Content-Type `content_type`, "Content-Disposition: attachment" with
// `filename` (when not empty), the bytes in base64.
MimeEntity Attachment(std::string_view content_type, std::string_view filename,
                      std::string_view bytes);
// An attached message (message/rfc822, 8bit), with an inline filename when not empty.
MimeEntity AttachedMessage(std::string_view message, std::string_view filename = "");
// A multipart/<subtype> of `parts` with `boundary`.
MimeEntity Multipart(std::string_view subtype, std::vector<MimeEntity> parts,
                     std::string_view boundary);

// A message: `headers` (From, To, Subject, ...: raw values) then "MIME-Version: 1.0" and the
// fields and body of `body`.
std::string MakeMessage(const MailFields& headers, const MimeEntity& body, bool crlf = false);

// RFC 2045 base64 in lines of 76 characters, each ending with "\n".
std::string Base64(std::string_view bytes);
// RFC 2045 quoted-printable: '=', bytes outside printable ASCII and white space before a line
// end as =XX; lines longer than 76 characters broken with soft line breaks ("=\n").
std::string QuotedPrintable(std::string_view bytes);
// An RFC 2047 encoded word, "B" encoding: "=?charset?B?...?=". `text` is in `charset` already.
std::string EncodedWord(std::string_view charset, std::string_view text);
// `utf8` converted to `charset` (iconv); aborts if it cannot be converted.
std::string Recode(std::string_view utf8, const char* charset);

// Bytes that look like a small PDF, with a binary comment line and NUL bytes, for attachments.
std::string PdfLikeBlob();

// An mbox (mboxrd) of `messages`: each one after a line "From <sender> Mon Jan  1 00:00:00
// 2024" (sender "sender-N@example.org", N from 1), its lines that start with '>'s followed by
// "From " quoted with one more '>', and an empty line after it.
std::string MakeMbox(const std::vector<std::string>& messages);

// A complete sample message, for tests that need one rich mail (the daemon's): From "Jane Doe"
// <jane@example.org>, To two people, Cc one, Subject "Quarterly whales report", Date
// "Tue, 05 Mar 2024 10:15:00 +0100", Message-ID <whales-42@example.org>, a
// multipart/alternative body (plain: "The narwhal population grew.", HTML), a PDF-like
// attachment "report.pdf" and an attached message (Subject "Fwd: krill").
std::string SampleMessage();

}  // namespace archivum::testing
