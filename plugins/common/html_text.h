// The text of an HTML document, for the plugins that meet HTML (text files, mail bodies, EPUB
// chapters). Parsed with Gumbo, an implementation of the HTML5 parsing algorithm: malformed markup
// is read the way a browser reads it, every HTML5 named and numeric character reference is
// decoded, and <script>, <style>, <template>, <noscript> (and similar raw-text) contents are not
// text.
//
// The text keeps the document's reading order. Block-level elements (p, div, li, h1-h6, tr,
// table, section, figure, ...) and <br> end a line; table cells are separated by a tab; inline
// elements (b, span, a, ...) join their text without a space; runs of white space collapse to one
// space outside <pre>. The <title> is returned separately and is also the first line of the
// text, so a word of the title finds the document.
//
// Limits. Gumbo builds a tree of the whole document, which takes 30 to 100 times the input's size,
// its tree construction takes time quadratic in the nesting depth (300 KB of unclosed <div> tags
// take 13 s, 1 MB minutes), and its own gumbo_destroy_output frees the tree recursively (a deep
// one overflows the stack). So HtmlToText gives Gumbo an allocator of its own that counts every
// byte Gumbo holds, stops the parse when HtmlLimits' memory or CPU budget is spent or the caller
// cancels, and frees everything without recursion. It first parses the longest prefix expected to
// fit the memory budget, and after a stop a prefix half as long, down to kMinHtmlPrefix bytes,
// which is parsed without a CPU budget (it takes milliseconds); `truncated` then says the text
// covers only a prefix. So a call returns within about max_cpu and holds at most about
// max_memory, whatever the input.
//
// Thread safety: pure function; safe to call concurrently (HtmlLimits::cancelled is called on the
// calling thread only).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::bundled {

// The largest HTML input HtmlToText reads; a larger one is cut there (the caller says so).
inline constexpr size_t kMaxHtmlBytes = 64u << 20;
// The prefix length below which HtmlToText stops shortening a document that exceeds its limits.
inline constexpr size_t kMinHtmlPrefix = 32u << 10;

struct HtmlLimits {
  // Bytes Gumbo may hold at once (its tree and working buffers), counted exactly.
  size_t max_memory = size_t{48} << 20;
  // Thread CPU time that the parse attempts of one call may take together, before the last
  // attempt on kMinHtmlPrefix bytes.
  std::chrono::milliseconds max_cpu{3000};
  // Polled while parsing (about every millisecond); once it returns true, HtmlToText stops and
  // returns an empty result with `cancelled` set. May be empty (never cancelled).
  std::function<bool()> cancelled;
};

struct HtmlText {
  std::string text;      // UTF-8; lines separated by '\n'
  std::string title;     // the <title>, whitespace collapsed; empty if none
  std::string language;  // the lang attribute of <html>, e.g. "en"; empty if none
  // <meta name="..." content="..."> with name lower-cased, for author, description, keywords.
  std::vector<std::pair<std::string, std::string>> meta;
  // The character encoding the document declares, as written: <meta charset="..."> or the
  // charset parameter of <meta http-equiv="Content-Type" content="...">; empty if none. HtmlToText
  // itself always reads UTF-8: a caller holding bytes in another encoding reads this from a first
  // call on a prefix, decodes, and calls again.
  std::string charset;
  // The text covers only a prefix of the input: it was longer than kMaxHtmlBytes, or did not fit
  // the limits (see above).
  bool truncated = false;
  bool cancelled = false;  // HtmlLimits::cancelled returned true; every other field is empty
};

// `html` must be UTF-8 (invalid sequences become U+FFFD); the result is valid UTF-8.
HtmlText HtmlToText(std::string_view html, const HtmlLimits& limits = {});

// The most bytes of its input HtmlToText reads under `limits`: its first parse takes the longest
// prefix whose estimated memory (at least 8 bytes per byte) fits max_memory. A caller decoding a
// document into UTF-8 for it need decode no more.
size_t HtmlMaxInput(const HtmlLimits& limits);

}  // namespace archivum::bundled
