#include "text/charset.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/utf8.h"

namespace archivum::bundled::text {
namespace {

constexpr size_t kPollBytes = size_t{1} << 20;

// windows-1252 for bytes 0x80-0x9F; the five bytes it leaves undefined keep their C1 value.
constexpr char16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88-8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98-9F
};

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The index of the first byte at or after `i` that is >= 0x80, or s.size(): eight bytes at a
// time while they are all ASCII.
size_t SkipAscii(std::string_view s, size_t i) {
  while (i + 8 <= s.size() && (Load8(s.data() + i) & kHighBits) == 0) i += 8;
  while (i < s.size() && static_cast<uint8_t>(s[i]) < 0x80) ++i;
  return i;
}

// The index of the first byte at or after `i` that is >= 0x80 or NUL, or s.size().
size_t SkipAsciiWithoutNul(std::string_view s, size_t i) {
  while (i + 8 <= s.size()) {
    const uint64_t v = Load8(s.data() + i);
    // (v - ones) & ~v & high is non-zero exactly when some byte of v is 0; v & high when some
    // byte is >= 0x80. Either way the block is not a clean ASCII run.
    if (((v | ((v - kOnes) & ~v)) & kHighBits) != 0) break;
    i += 8;
  }
  while (i < s.size() && static_cast<uint8_t>(s[i]) < 0x80 && s[i] != '\0') ++i;
  return i;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

class Poller {
 public:
  explicit Poller(const std::function<bool()>& cancelled) : cancelled_(cancelled) {}
  // True if cancelled; checks only when `position` has moved kPollBytes past the last check.
  bool Cancelled(size_t position) {
    if (position < next_) return false;
    next_ = position + kPollBytes;
    return cancelled_ && cancelled_();
  }

 private:
  const std::function<bool()>& cancelled_;
  size_t next_ = 0;
};

void Append(Decoded& out, char32_t cp) {
  if (cp != 0) AppendUtf8(out.text, cp);
}

std::optional<Decoded> DecodeUtf16(std::string_view s, bool big_endian, bool complete,
                                   Poller& poller) {
  Decoded out;
  out.charset = big_endian ? Charset::kUtf16Be : Charset::kUtf16Le;
  out.text.reserve(s.size());
  auto unit = [&](size_t i) -> char16_t {
    const auto a = static_cast<uint8_t>(s[i]);
    const auto b = static_cast<uint8_t>(s[i + 1]);
    return static_cast<char16_t>(big_endian ? (a << 8) | b : (b << 8) | a);
  };
  size_t i = 0;
  while (i + 1 < s.size()) {
    if (poller.Cancelled(i)) return std::nullopt;
    const char16_t u = unit(i);
    i += 2;
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 1 >= s.size() && !complete) break;  // the low half was cut off
      const char16_t low = i + 1 < s.size() ? unit(i) : char16_t{0};
      if (low >= 0xDC00 && low <= 0xDFFF) {
        i += 2;
        Append(out, 0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (low - 0xDC00));
        continue;
      }
      Append(out, kReplacementChar);
      ++out.replaced;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      Append(out, kReplacementChar);
      ++out.replaced;
    } else {
      Append(out, u);
    }
  }
  if (i < s.size() && complete) {  // an odd trailing byte
    Append(out, kReplacementChar);
    ++out.replaced;
  }
  return out;
}

std::optional<Decoded> DecodeLatin1(std::string_view s, Poller& poller) {
  Decoded out;
  out.charset = Charset::kLatin1;
  out.text.reserve(s.size() + s.size() / 4);
  for (size_t i = 0; i < s.size(); ++i) {
    if (poller.Cancelled(i)) return std::nullopt;
    const auto b = static_cast<uint8_t>(s[i]);
    Append(out, b >= 0x80 && b <= 0x9F ? kWindows1252High[b - 0x80] : char32_t{b});
  }
  return out;
}

std::optional<Decoded> DecodeUtf8Text(std::string_view s, Charset charset, bool complete,
                                      Poller& poller) {
  Decoded out;
  out.charset = charset;
  out.text.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (poller.Cancelled(i)) return std::nullopt;
    // Copy ASCII runs directly: the common case.
    const size_t run = SkipAsciiWithoutNul(s, i);
    out.text.append(s.substr(i, run - i));
    i = run;
    if (i >= s.size()) break;
    const Utf8Step step = DecodeUtf8(s.substr(i));
    if (step.incomplete && !complete) break;
    if (!step.valid) ++out.replaced;
    Append(out, step.code_point);
    i += step.length;
  }
  return out;
}

}  // namespace

std::string_view CharsetName(Charset charset) {
  switch (charset) {
    case Charset::kAscii: return "us-ascii";
    case Charset::kUtf8: return "utf-8";
    case Charset::kUtf16Le: return "utf-16le";
    case Charset::kUtf16Be: return "utf-16be";
    case Charset::kLatin1: return "iso-8859-1";
  }
  return "unknown";
}

bool LooksBinary(std::string_view content) {
  if (StartsWith(content, "\xFF\xFE") || StartsWith(content, "\xFE\xFF")) return false;
  return content.substr(0, kBinaryProbeBytes).find('\0') != std::string_view::npos;
}

std::optional<Decoded> DecodeText(std::string_view content, bool complete,
                                  const std::function<bool()>& cancelled) {
  Poller poller(cancelled);
  if (StartsWith(content, "\xEF\xBB\xBF")) {
    return DecodeUtf8Text(content.substr(3), Charset::kUtf8, complete, poller);
  }
  if (StartsWith(content, "\xFF\xFE"))
    return DecodeUtf16(content.substr(2), false, complete, poller);
  if (StartsWith(content, "\xFE\xFF"))
    return DecodeUtf16(content.substr(2), true, complete, poller);

  // Classify: how many non-ASCII bytes are there, and how many of them are in invalid sequences?
  size_t high_bytes = 0;
  size_t invalid_bytes = 0;
  for (size_t i = 0; i < content.size();) {
    if (poller.Cancelled(i)) return std::nullopt;
    if (static_cast<uint8_t>(content[i]) < 0x80) {
      // At most kPollBytes at a time, so the poll above still runs about every MiB.
      const size_t limit = std::min(content.size(), i + kPollBytes);
      i = SkipAscii(content.substr(0, limit), i);
      continue;
    }
    const Utf8Step step = DecodeUtf8(content.substr(i));
    high_bytes += step.length;
    if (!step.valid && !(step.incomplete && !complete)) invalid_bytes += step.length;
    i += step.length;
  }
  Poller decode_poller(cancelled);
  if (high_bytes == 0) return DecodeUtf8Text(content, Charset::kAscii, complete, decode_poller);
  if (invalid_bytes * kLatin1Divisor > high_bytes) return DecodeLatin1(content, decode_poller);
  return DecodeUtf8Text(content, Charset::kUtf8, complete, decode_poller);
}

}  // namespace archivum::bundled::text
