#include "text/document_text.h"

#include <algorithm>

namespace archivum::bundled::text {
namespace {

bool AsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool AsciiDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string LanguageTag(std::string lang) {
  std::replace(lang.begin(), lang.end(), '_', '-');
  size_t start = 0;
  for (size_t i = 0; i <= lang.size(); ++i) {
    if (i < lang.size() && lang[i] != '-') {
      const bool letter = AsciiAlpha(lang[i]);
      if (!letter && (start == 0 || !AsciiDigit(lang[i]))) return {};
      continue;
    }
    if (i == start || i - start > 8) return {};  // an empty or overlong subtag
    start = i + 1;
  }
  return lang;
}

}  // namespace archivum::bundled::text
