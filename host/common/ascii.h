// ASCII case folding for protocol text: config keys, HTTP tokens, MIME types, query fields, digests.
//
// Only 'A'-'Z' fold; every other byte (including UTF-8) compares as it is, whatever the locale.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace archivum {

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
