// HTML documents for the `text` plugin: the charset they declare, and their text and metadata as
// HtmlToText (plugins/common/html_text.h, the Gumbo HTML5 parser) reads them.
//
// Metadata, under the vocabulary of plugin-api/README.md and only when the document states it:
//   title     the <title>
//   language  <html lang="...">, when it has the shape of a BCP 47 tag ("en", "pt-BR"; an
//             underscore, as in "en_US", is read as a hyphen)
//   author    each <meta name="author" content="...">
//   keywords  the contents of the <meta name="keywords"> elements, joined with ", "
//   subject   each <meta name="description"> and <meta name="subject">
// Each value is cut to kMaxMetadataBytes (between characters).
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "text/document_text.h"

namespace archivum::bundled::text {

// How much of the document is read for a <meta> charset declaration. The HTML standard's prescan
// reads 1024 bytes, but browsers also honour a later <meta> in the head (by parsing again); this
// covers heads with long preambles at the cost of parsing a few KiB.
inline constexpr size_t kHtmlPrescanBytes = 8192;
inline constexpr size_t kMaxMetadataBytes = 4096;

// The most bytes of UTF-8 that ReadHtml reads (HtmlMaxInput of its limits).
size_t MaxHtmlInput();

// The charset label that the <meta charset> or <meta http-equiv="Content-Type"> element in the
// first kHtmlPrescanBytes of `content` (raw bytes in an ASCII-compatible encoding) states, as
// written; empty if none.
std::string HtmlDeclaredCharset(std::string_view content);

// The text and metadata of the HTML document `html` (UTF-8). `cancelled` is polled while parsing;
// returns std::nullopt once it returns true.
std::optional<DocumentText> ReadHtml(std::string_view html, const std::function<bool()>& cancelled);

}  // namespace archivum::bundled::text
