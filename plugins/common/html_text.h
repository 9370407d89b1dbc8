// The text of an HTML document, for the plugins that meet HTML (text files, mail bodies, EPUB
// chapters). Parsed with Gumbo, an implementation of the HTML5 parsing algorithm: malformed markup
// is read the way a browser reads it, every HTML5 named and numeric character reference is
// decoded, and <script>, <style>, <template> and <noscript> contents are not text.
//
// The text keeps the document's reading order. Block-level elements (p, div, li, h1-h6, tr,
// table, section, ...) and <br> end a line; table cells are separated by a tab; inline elements
// (b, span, a, ...) join their text without a space; runs of white space collapse to one space
// outside <pre>. The <title> is returned separately and is also the first line of the text, so a
// word of the title finds the document.
//
// Memory: Gumbo builds a tree of the whole document (several times its size), so callers bound
// the input (kMaxHtmlBytes). Nesting depth is unbounded: the tree is walked without recursion.
//
// Thread safety: pure function; safe to call concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::bundled {

// The largest HTML input HtmlToText accepts; a larger one is cut there (the caller says so).
inline constexpr size_t kMaxHtmlBytes = 64u << 20;

struct HtmlText {
  std::string text;      // UTF-8; lines separated by '\n'
  std::string title;     // the <title>, whitespace collapsed; empty if none
  std::string language;  // the lang attribute of <html>, e.g. "en"; empty if none
  // <meta name="..." content="..."> with name lower-cased, for author, description, keywords.
  std::vector<std::pair<std::string, std::string>> meta;
  bool truncated = false;  // the input was longer than kMaxHtmlBytes and was cut
};

// `html` must be UTF-8 (invalid sequences become U+FFFD); the result is valid UTF-8.
HtmlText HtmlToText(std::string_view html);

}  // namespace archivum::bundled
