// Turning poppler's strings (poppler::ustring, UTF-16 code units) into the well-formed UTF-8 the
// host accepts.
//
// Why not ustring::to_utf8: it converts with iconv and stops at the first unpaired surrogate,
// silently dropping the rest of the string (a damaged ToUnicode map or Info string is enough).
//
// Thread safety: pure functions.
#pragma once

#include <poppler-global.h>

#include <string>
#include <string_view>

namespace archivum::bundled::pdf {

// `text` as UTF-8; an unpaired surrogate becomes U+FFFD and the rest is kept.
std::string ToUtf8(const poppler::ustring& text);

// An Info dictionary value as poppler-cpp returns it, as UTF-8 without surrounding whitespace.
// poppler-cpp widens a PDFDocEncoding string byte by byte, as if it were Latin-1, so the bytes
// where PDFDocEncoding differs from Latin-1 arrive as control characters (0x90, the right single
// quote, as U+0090). They are mapped to what PDFDocEncoding means (ISO 32000-1, Annex D). A
// UTF-16 value holding those controls is mapped too; no writer means a control character in a
// title.
std::string InfoToUtf8(const poppler::ustring& value);

// `s` without leading and trailing white space (ASCII space, tab, CR, LF, form feed, vertical
// tab, NUL).
std::string_view TrimSpace(std::string_view s);

}  // namespace archivum::bundled::pdf
