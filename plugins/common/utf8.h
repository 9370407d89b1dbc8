// UTF-8 decoding for the bundled plugins. The host refuses any string a plugin emits that is not
// well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF), so plugins that
// pass on text from files repair it with these helpers first.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace archivum::bundled {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// The result of decoding the sequence at the start of a string.
struct Utf8Step {
  char32_t code_point = 0;  // kReplacementChar if !valid
  size_t length = 0;        // bytes consumed, >= 1 for non-empty input
  bool valid = false;
  // The sequence was cut off by the end of the input (a prefix of a valid sequence). Useful when
  // the input was truncated on purpose.
  bool incomplete = false;
};

// Decodes one code point from the start of `s`, which must be non-empty. An invalid sequence
// consumes its "maximal subpart" (Unicode 15, section 3.9): the lead byte plus the continuation
// bytes that were still acceptable, so each broken sequence becomes exactly one U+FFFD.
Utf8Step DecodeUtf8(std::string_view s);

// Appends the UTF-8 encoding of `cp`; surrogates and values past U+10FFFF append U+FFFD.
void AppendUtf8(std::string& out, char32_t cp);

// `s` with every invalid sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s);

// The largest index <= `pos` (clamped to s.size()) that does not split a multi-byte sequence of
// well-formed UTF-8 text, i.e. where s.substr(0, index) stays well-formed.
size_t Utf8Boundary(std::string_view s, size_t pos);

// A metadata value as one line: invalid UTF-8 replaced (SanitizeUtf8), each run of spaces, tabs
// and line breaks made one space, none at either end, then cut to at most `max_bytes` on a
// character boundary; *cut (if not null) is set when it was cut.
std::string OneLine(std::string_view text, size_t max_bytes, bool* cut = nullptr);

}  // namespace archivum::bundled
