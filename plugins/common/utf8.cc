#include "common/utf8.h"

#include <cstdint>

namespace archivum::bundled {

Utf8Step DecodeUtf8(std::string_view s) {
  const auto b0 = static_cast<uint8_t>(s[0]);
  if (b0 < 0x80) return {b0, 1, true, false};
  size_t need = 0;    // continuation bytes after the lead
  uint8_t lo = 0x80;  // the range allowed for the first continuation byte
  uint8_t hi = 0xBF;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return {kReplacementChar, 1, false, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (k >= s.size()) return {kReplacementChar, k, false, true};
    const auto b = static_cast<uint8_t>(s[k]);
    const uint8_t min = k == 1 ? lo : 0x80;
    const uint8_t max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) return {kReplacementChar, k, false, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, need + 1, true, false};
}

void AppendUtf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const Utf8Step step = DecodeUtf8(s.substr(i));
    if (step.valid) {
      out.append(s.substr(i, step.length));
    } else {
      AppendUtf8(out, kReplacementChar);
    }
    i += step.length;
  }
  return out;
}

size_t Utf8Boundary(std::string_view s, size_t pos) {
  if (pos >= s.size()) return s.size();
  // Back up over continuation bytes (at most three) to the start of the sequence holding pos.
  size_t i = pos;
  while (i > 0 && pos - i < 3 && (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80) --i;
  return (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80 ? pos : i;
}

std::string OneLine(std::string_view text, size_t max_bytes, bool* cut) {
  const std::string valid = SanitizeUtf8(text);
  std::string out;
  out.reserve(valid.size());
  bool space = false;
  for (const char c : valid) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  if (out.size() > max_bytes) {
    out.resize(Utf8Boundary(out, max_bytes));
    if (cut != nullptr) *cut = true;
  }
  return out;
}

}  // namespace archivum::bundled
