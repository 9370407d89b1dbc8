// How the query language reports malformed input: INVALID_ARGUMENT with a message of the form
// "column N: expected X, got Y", where N is the 1-based byte column in the query.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::query {

// INVALID_ARGUMENT "column <column>: expected <expected>, got <got>".
Status SyntaxError(size_t column, std::string_view expected, std::string_view got);

// How the input at text[pos] reads in an error: "'x'" (the whole UTF-8 character),
// "whitespace", "end of <what>" when pos is past the end, or "byte 0x01" for control bytes.
std::string DescribeAt(std::string_view text, size_t pos, std::string_view what = "query");

// 'text' in single quotes for messages, shortened to 40 bytes ("…" marks the cut).
std::string QuoteForMessage(std::string_view text);

// ASCII whitespace: space, \t, \n, \v, \f, \r.
inline bool IsSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace archivum::query
