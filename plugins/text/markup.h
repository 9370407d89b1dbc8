// Text content of HTML and XML documents for the `text` plugin.
//
// StripMarkup is a forgiving scanner, not a parser: it never fails on malformed markup and never
// builds a tree. It removes tags, comments, doctypes and processing instructions; keeps CDATA
// content verbatim; decodes character references (&amp; &lt; &gt; &quot; &apos; &nbsp;, HTML's
// Latin-1 names such as &eacute;, common typographic names such as &mdash;, and numeric ones,
// &#39; &#NNN; &#xHH;; other names stay as written); and collapses each
// run of whitespace to one space. In HTML the contents of <script> and <style> are dropped, block
// elements (p, div, br, li, h1-h6, tr, ...) end a line, and inline elements (b, span, a, ...)
// join their text without a space; <pre> is collapsed like everything else. In XML every tag
// separates words, since XML has no inline elements.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace archivum::bundled::text {

enum class MarkupKind { kHtml, kXml };

// Returns the text of `document`, which must be well-formed UTF-8; the result is then too.
std::string StripMarkup(std::string_view document, MarkupKind kind);

// Decodes the character reference at the start of `s` (which starts with '&') and appends it to
// `out`. Returns the number of bytes consumed, or 0 (appending nothing) if `s` does not start
// with a reference this decoder knows.
size_t DecodeCharacterReference(std::string_view s, std::string& out);

}  // namespace archivum::bundled::text
