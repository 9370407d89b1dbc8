#include "pdf/pdf_strings.h"

#include "common/utf8.h"

namespace archivum::bundled::pdf {
namespace {

// PDFDocEncoding where it differs from Latin-1 below 0xA0 (ISO 32000-1, table D.2): 0x18..0x1F
// are spacing accents, 0x80..0x9E punctuation and letters; 0 marks an undefined code (0x9F).
constexpr char16_t kAccents[8] = {0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC};
constexpr char16_t kHigh[32] = {0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044,
                                0x2039, 0x203A, 0x2212, 0x2030, 0x201E, 0x201C, 0x201D, 0x2018,
                                0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160,
                                0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0};

char32_t FromPdfDocEncoding(char32_t unit) {
  if (unit >= 0x18 && unit <= 0x1F) return kAccents[unit - 0x18];
  if (unit >= 0x80 && unit <= 0x9F) return kHigh[unit - 0x80] != 0 ? kHigh[unit - 0x80] : unit;
  return unit;
}

bool IsHighSurrogate(char32_t u) {
  return u >= 0xD800 && u <= 0xDBFF;
}
bool IsLowSurrogate(char32_t u) {
  return u >= 0xDC00 && u <= 0xDFFF;
}

// Decodes UTF-16 code units, passing each code point through `map`.
template <class Map>
std::string Decode(const poppler::ustring& text, Map map) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t unit = text[i];
    if (IsHighSurrogate(unit) && i + 1 < text.size() && IsLowSurrogate(text[i + 1])) {
      AppendUtf8(out, 0x10000 + ((unit - 0xD800) << 10) + (text[i + 1] - 0xDC00));
      ++i;
    } else {
      // AppendUtf8 turns an unpaired surrogate into U+FFFD.
      AppendUtf8(out, map(unit));
    }
  }
  return out;
}

}  // namespace

std::string ToUtf8(const poppler::ustring& text) {
  return Decode(text, [](char32_t unit) { return unit; });
}

std::string InfoToUtf8(const poppler::ustring& value) {
  return std::string(TrimSpace(Decode(value, FromPdfDocEncoding)));
}

std::string_view TrimSpace(std::string_view s) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == '\0';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace archivum::bundled::pdf
