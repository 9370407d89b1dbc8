// ASCII character classes and case folding for protocol text: config keys and values, HTTP
// tokens, MIME types, query syntax, digests.
//
// Only ASCII bytes are classified and only 'A'-'Z' fold; every other byte (including UTF-8)
// belongs to no class and compares as it is, whatever the locale. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace archivum {

constexpr bool AsciiIsDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool AsciiIsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
constexpr bool AsciiIsLower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool AsciiIsAlpha(char c) {
  return AsciiIsUpper(c) || AsciiIsLower(c);
}
constexpr bool AsciiIsAlnum(char c) {
  return AsciiIsAlpha(c) || AsciiIsDigit(c);
}
constexpr bool AsciiIsHexDigit(char c) {
  return AsciiIsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// Space, \t, \n, \v, \f and \r.
constexpr bool AsciiIsSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `s` with 'A'-'Z' lowered.
std::string AsciiLower(std::string_view s);

// Lowers 'A'-'Z' of `s` in place.
void AsciiLowerInPlace(std::string& s);

// Whether `a` and `b` are equal, ignoring ASCII case.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// Whether `text` begins with `prefix`, ignoring ASCII case.
bool StartsWithIgnoreAsciiCase(std::string_view text, std::string_view prefix);

}  // namespace archivum
