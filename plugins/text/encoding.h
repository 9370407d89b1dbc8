// Which character encoding a text file is in, for the `text` plugin.
//
// ChooseEncoding decides, in order:
//  1. A byte-order mark: EF BB BF is UTF-8, FF FE UTF-16LE, FE FF UTF-16BE (the mark is not part
//     of the text). UTF-32 has no BOM handling: its NUL bytes make it binary (step 2).
//  2. A NUL byte among the first kBinaryProbeBytes means binary content, unless uchardet reads the
//     start as UTF-16 or UTF-32; it is asked only when the NULs sit at alternate offsets, as in
//     UTF-16 text. (uchardet 0.0.7, Debian 12's, recognizes UTF-16 only by its BOM, so there
//     BOM-less UTF-16 counts as binary; newer ones name it.)
//  3. Well-formed UTF-8 (checked first, without calling a detector: the common case) is
//     "us-ascii" when no byte is >= 0x80 and "utf-8" otherwise. Text in a legacy charset
//     practically never forms well-formed multi-byte UTF-8 sequences, so valid UTF-8 wins even over
//     a contrary declaration, which is then a mislabel. Exception: ASCII holding an ESC byte goes
//     on to step 4, since 7-bit encodings (ISO-2022-JP/KR/CN) are ASCII bytes. For the same reason
//     UTF-8 with a few ill-formed bytes (at least kMostlyUtf8Ratio well-formed multi-byte
//     sequences per ill-formed one in DetectionWindow()) is "utf-8", the ill-formed bytes replaced:
//     uchardet's verdict on UTF-8 is all or nothing, and names a legacy charset for one stray byte.
//  4. The encoding the document declares (HTML <meta charset>, XML encoding="..."), if ICU knows
//     it and it does not contradict the bytes: UTF-8 (refuted by step 3) or UTF-16 (a declaration
//     readable as ASCII is not UTF-16).
//  5. uchardet's verdict on DetectionWindow(): e.g. windows-1251, koi8-r, shift_jis, euc-jp,
//     gb18030, big5, euc-kr, iso-8859-x, windows-125x, or utf-8 for UTF-8 with a few broken bytes.
//  6. windows-1252, which decodes every byte (the WHATWG default for unlabeled Western text).
//
// Names. An Encoding's name is what the user sees in the "charset" finding: the lower-case
// preferred MIME name of the detected or declared charset, else its IANA name ("utf-8",
// "windows-1251", "shift_jis", "iso-8859-2"). Decoding follows the WHATWG Encoding Standard, as
// browsers do: "iso-8859-1" and "us-ascii" decode as windows-1252 (bytes 0x80-0x9F are the
// characters Windows puts there, not C1 controls), iso-8859-9 as windows-1254, iso-8859-11 as
// windows-874, euc-kr as its superset windows-949 (uchardet's "UHC"), gb2312 and gbk as gb18030.
// A detected charset that ICU cannot decode (iso-8859-16, viscii) falls through to step 6.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace archivum::bundled::text {

inline constexpr size_t kBinaryProbeBytes = 8192;
inline constexpr size_t kDetectionWindow = 64u << 10;
inline constexpr size_t kMostlyUtf8Ratio = 4;

// A character encoding that text is decoded from.
struct Encoding {
  std::string name;  // reported as the "charset" finding, e.g. "utf-8" (see above)
  // The ICU converter that decodes the bytes; empty if they pass through unchanged (well-formed
  // UTF-8 without NUL).
  std::string converter;
  size_t bom = 0;  // bytes of byte-order mark at the start, not part of the text

  bool operator==(const Encoding&) const = default;
};

// The encoding a byte-order mark at the start of `content` states, if any.
std::optional<Encoding> FromBom(std::string_view content);

// The encoding named by `label` (as a document or uchardet states it; case and surrounding
// white space do not matter), if ICU can decode it; see "Names" above.
std::optional<Encoding> FromLabel(std::string_view label);

// kDetectionWindow bytes of `content` from its first byte >= 0x80 (the ASCII before it tells a
// detector nothing), or from its start if it has none.
std::string_view DetectionWindow(std::string_view content);

// uchardet's verdict on `window`, if it has one that ICU can decode.
std::optional<Encoding> Detect(std::string_view window);

// What a scan of `content` as UTF-8 found.
struct Utf8Scan {
  bool valid = true;    // well-formed UTF-8
  bool ascii = true;    // no byte >= 0x80
  bool nul = false;     // a NUL byte (dropped from the text, so it cannot pass through unchanged)
  bool escape = false;  // an ESC byte (0x1B); only looked for when `ascii`
};

// Scans `content`, stopping at the first ill-formed sequence. With `complete` false, `content` is
// a prefix cut at an arbitrary byte and a sequence cut off by its end counts as well-formed.
// `cancelled` is polled about every MiB; returns std::nullopt once it returns true.
std::optional<Utf8Scan> ScanUtf8(std::string_view content, bool complete,
                                 const std::function<bool()>& cancelled);

enum class Verdict { kText, kBinary, kCancelled };

struct Choice {
  Verdict verdict = Verdict::kText;
  Encoding encoding;  // valid for kText
};

// Chooses the encoding of `content` as described above. `declared` returns the charset label the
// document declares (empty if none); it is called only when step 4 is reached. `cancelled` is
// polled before each expensive step.
Choice ChooseEncoding(std::string_view content, bool complete,
                      const std::function<std::string()>& declared,
                      const std::function<bool()>& cancelled);

}  // namespace archivum::bundled::text
