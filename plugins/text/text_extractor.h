// Text extraction for the full-text index, the logic of the `text` plugin.
//
// ExtractText reads at most Options::max_bytes leading bytes, chooses their character encoding
// (encoding.h), and by the MIME type:
//  - plain text: decodes it to UTF-8 piece by piece (utf8_decoder.h) and passes each piece on
//    as it comes, so that a large file never sits decoded in memory; well-formed UTF-8 passes
//    through without a copy;
//  - HTML: decodes as much as the HTML parser reads (HtmlMaxInput, 6 MiB) and reads it with
//    Gumbo (html_document.h): text in reading order, and the title, language, author, keywords
//    and description as metadata findings;
//  - XML: streams it through libxml2 (xml_document.h): the character data.
// The text is capped at Options::max_text bytes, cut between characters.
//
// Findings, after the text: "charset" (encoding.h), "lines" (of the decoded document, before
// markup removal: LF, CRLF and a lone CR each end a line, a last line without one counts),
// "truncated" = "true" when max_bytes, max_text, the HTML parser's limits or the receiver's refusal
// cut the text short, and the metadata of HTML (title, language, author, keywords, subject) and
// XML (language) documents under the keys of plugin-api/README.md's vocabulary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace archivum::bundled::text {

struct Options {
  uint64_t max_bytes = uint64_t{8} << 20;  // leading input bytes considered
  uint64_t max_text = uint64_t{4} << 20;   // bytes of UTF-8 text produced at most
};

// Parses {"max_bytes": <size, default 8M>, "max_text": <size, default 4M>}. Throws
// sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the offending key.
Options ParseOptions(std::string_view config_json);

// How the content is turned into text, decided by its MIME type.
enum class Format { kPlain, kHtml, kXml };

// kHtml for text/html and application/xhtml+xml, kXml for text/xml, application/xml and every
// "+xml" type (e.g. image/svg+xml), kPlain for everything else. Parameters (";charset=...") and
// case are ignored.
Format FormatForMime(std::string_view mime);

// Receives what ExtractText produces. Implemented by the plugin (forwarding to the host's sink)
// and by tests; called only on the thread running ExtractText, and only during that call.
class TextSink {
 public:
  virtual ~TextSink() = default;
  // The next piece of text: well-formed UTF-8, never splitting a character. Returns false to
  // refuse it and any further text (e.g. the host's output budget is spent); extraction then
  // reports "truncated" and emits no more text, but still its findings.
  virtual bool Text(std::string_view piece) = 0;
  // A finding; both strings are well-formed UTF-8. A key may come several times (one per value).
  virtual void Finding(std::string_view key, std::string_view value) = 0;
  // True once extraction should stop; polled about every MiB and within long parses.
  virtual bool Cancelled() = 0;
};

enum class Outcome {
  kText,       // the text and findings went to the sink (the text possibly empty)
  kBinary,     // the content is not text (encoding.h); nothing was emitted
  kCancelled,  // TextSink::Cancelled returned true; what was emitted is incomplete
};

// Extracts the text of `content` (the file's bytes) of MIME type `mime` into `sink`, as described
// above. Throws sdk::Error for a failure of a library it uses (ICU, libxml2 allocation).
Outcome ExtractText(std::string_view content, std::string_view mime, const Options& options,
                    TextSink& sink);

// Passes `text` (well-formed UTF-8) to `emit` in pieces of at most `chunk_size` bytes (at least
// one character each), cut only between characters so every piece is well-formed too. Stops and
// returns false as soon as `emit` returns false; returns true once everything was passed on.
bool EmitInChunks(std::string_view text, size_t chunk_size,
                  const std::function<bool(std::string_view)>& emit);

}  // namespace archivum::bundled::text
