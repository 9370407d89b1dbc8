// Text extraction for the full-text index, the logic of the `text` plugin.
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

enum class Outcome {
  kText,       // `text` holds the result (possibly empty)
  kBinary,     // the content is not text (see LooksBinary in charset.h)
  kCancelled,  // the cancellation check returned true
};

struct Extraction {
  Outcome outcome = Outcome::kText;
  std::string text;        // well-formed UTF-8, at most Options::max_text bytes
  std::string charset;     // see charset.h, e.g. "utf-8"
  uint64_t lines = 0;      // lines of the decoded document (before markup removal)
  bool truncated = false;  // max_bytes or max_text cut the result short
};

// Converts `content` to text: takes at most options.max_bytes leading bytes, decodes them to
// UTF-8 (charset.h), strips markup for HTML/XML (markup.h) and cuts the result to
// options.max_text bytes at a character boundary. `cancelled` is polled about every MiB.
Extraction ExtractText(std::string_view content, std::string_view mime, const Options& options,
                       const std::function<bool()>& cancelled);

// Passes `text` (well-formed UTF-8) to `emit` in pieces of at most `chunk_size` bytes (at least
// one character each), cut only between characters so every piece is well-formed too. Stops and
// returns false as soon as `emit` returns false; returns true once everything was passed on.
bool EmitInChunks(std::string_view text, size_t chunk_size,
                  const std::function<bool(std::string_view)>& emit);

}  // namespace archivum::bundled::text
