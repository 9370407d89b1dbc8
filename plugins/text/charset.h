// Charset detection and conversion to UTF-8 for the `text` plugin.
//
// The heuristic, in order:
//  1. A byte-order mark decides: EF BB BF is UTF-8, FF FE is UTF-16LE, FE FF is UTF-16BE. The BOM
//     is not part of the text. (UTF-32 has no BOM handling: its NUL bytes make it binary.)
//  2. Without a UTF-16 BOM, a NUL byte within the first kBinaryProbeBytes means binary content.
//  3. Otherwise the bytes are read as UTF-8. Without any byte >= 0x80 the charset is "us-ascii".
//     If more than 1/kLatin1Divisor (a quarter) of the bytes >= 0x80 lie in invalid UTF-8
//     sequences, the content is taken to be Latin-1 ("iso-8859-1"): in real Latin-1 text nearly
//     every non-ASCII byte is an invalid sequence (an accented letter followed by ASCII), while a
//     UTF-8 file with a few damaged bytes keeps most of its multi-byte sequences valid. Otherwise
//     the charset is "utf-8" and each invalid sequence becomes one U+FFFD.
// Latin-1 is decoded as the WHATWG Encoding Standard decodes the label "iso-8859-1", i.e. as
// windows-1252: bytes 0x80-0x9F become the characters Windows puts there (€, curly quotes, ...)
// rather than invisible C1 controls; every other byte maps to the code point of the same value.
// NUL characters are dropped from the output (they would cut C strings in the full-text index).
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace archivum::bundled::text {

inline constexpr size_t kBinaryProbeBytes = 8192;
inline constexpr size_t kLatin1Divisor = 4;

enum class Charset { kAscii, kUtf8, kUtf16Le, kUtf16Be, kLatin1 };

// The lowercase IANA name: "us-ascii", "utf-8", "utf-16le", "utf-16be", "iso-8859-1".
std::string_view CharsetName(Charset charset);

// True if `content` has no UTF-16 BOM and a NUL byte among its first kBinaryProbeBytes bytes.
bool LooksBinary(std::string_view content);

struct Decoded {
  std::string text;  // well-formed UTF-8
  Charset charset = Charset::kAscii;
  size_t replaced = 0;  // invalid sequences replaced by U+FFFD
};

// Detects the charset of `content` and converts it to UTF-8. `complete` is false if `content` is
// a prefix cut at an arbitrary byte: an incomplete character at its end is then dropped instead
// of replaced. `cancelled` is polled about every MiB; returns std::nullopt once it returns true.
std::optional<Decoded> DecodeText(std::string_view content, bool complete,
                                  const std::function<bool()>& cancelled);

}  // namespace archivum::bundled::text
