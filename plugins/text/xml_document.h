// XML documents for the `text` plugin, read with libxml2.
//
// Text: the character data (text and CDATA sections) in document order. A run of white space
// becomes one line break if it holds one, else one space; every tag separates words (XML has no
// inline elements); nothing leads or trails. Comments, processing instructions, attribute values
// and the DTD are not text. Metadata: "language" from xml:lang on the root element.
//
// Nothing is ever loaded from elsewhere: no network (XML_PARSE_NONET), no external DTD (DTD
// loading, defaulted attributes and validation stay off), and entity references are not
// substituted (XML_PARSE_NOENT stays off), so a reference such as &xxe; contributes no text:
// external entities (XXE) read no file, and nested expansions (billion laughs) are never built.
// libxml2 2.9.14's own limits stop the rest: it detects entity loops and amplification, nests at
// most 256 elements deep and takes text nodes up to 10 MB (XML_PARSE_HUGE stays off).
//
// Malformed documents: the document is first read strictly with libxml2's streaming reader
// (xmlReader). If the reader reports an error, its text is dropped and the document is read again
// by the SAX parser in recovery mode (XML_PARSE_RECOVER), which goes on past errors where it can;
// the text is then what libxml2 recovered, up to where it gave up.
//
// The document reaches libxml2 as UTF-8 through Utf8Decoder, piece by piece, so it never sits
// decoded in memory; libxml2 ignores the declared encoding (XML_PARSE_IGNORE_ENC), which
// ChooseEncoding has already weighed (XmlDeclaredCharset).
//
// Thread safety: safe to call concurrently (libxml2 is initialized once, on first use).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "text/document_text.h"
#include "text/encoding.h"

namespace archivum::bundled::text {

// How much of a document is read for its XML declaration.
inline constexpr size_t kXmlPrescanBytes = 1024;

// The encoding that the XML declaration at the start of `content` names (encoding="..."), as
// written; empty if there is no declaration or it names no encoding libxml2 knows.
std::string XmlDeclaredCharset(std::string_view content);

// The text and metadata of the XML document `input` (its bytes after any byte-order mark, in
// `encoding`; `complete` as for Utf8Decoder). The text stops at `max_text` bytes (then
// `truncated`). `cancelled` is polled about every MiB of input; returns std::nullopt once it
// returns true. Throws sdk::Error if libxml2 cannot allocate its parser or decoding fails.
std::optional<DocumentText> ReadXml(std::string_view input, const Encoding& encoding, bool complete,
                                    size_t max_text, const std::function<bool()>& cancelled);

}  // namespace archivum::bundled::text
