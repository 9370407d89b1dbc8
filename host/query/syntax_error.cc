#include "query/syntax_error.h"

#include <cstdio>

namespace archivum::query {
namespace {

// Length of the UTF-8 sequence a lead byte announces (1 for anything malformed).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  return 1;
}

}  // namespace

Status SyntaxError(size_t column, std::string_view expected, std::string_view got) {
  std::string message = "column " + std::to_string(column) + ": expected ";
  message += expected;
  message += ", got ";
  message += got;
  return InvalidArgument(std::move(message));
}

std::string DescribeAt(std::string_view text, size_t pos, std::string_view what) {
  if (pos >= text.size()) return "end of " + std::string(what);
  const auto c = static_cast<unsigned char>(text[pos]);
  if (IsSpace(static_cast<char>(c))) return "whitespace";
  if (c < 0x20 || c == 0x7F) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return buf;
  }
  const size_t len = c < 0x80 ? 1 : Utf8Length(c);
  return QuoteForMessage(text.substr(pos, len));
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  // Cut on a UTF-8 character boundary so the message stays valid UTF-8.
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(text.substr(0, cut)) + "…'";
}

}  // namespace archivum::query
