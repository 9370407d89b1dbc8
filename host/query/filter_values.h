// Reading the values of built-in filters: sizes, dates, hashes, paths and globs.
//
// Split from the parser so each value syntax has one place (and one set of tests). Errors are
// syntax errors (syntax_error.h) pointing at the offending character of the value.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "query/ast.h"

namespace archivum::query {

// A filter value as it appeared in the query.
struct ValueSpan {
  std::string_view text;  // unescaped
  size_t column = 1;      // column of the value's first byte (of the opening quote if quoted)
  bool quoted = false;    // offsets inside a quoted value are not mapped (escapes shift them)

  size_t ColumnOf(size_t offset) const { return quoted ? column : column + offset; }
};

// The built-in field a filter name denotes (ASCII case-insensitive), if any.
std::optional<Field> LookupField(std::string_view name);

// Whether `text` holds something full-text search can make a word of: an ASCII letter or digit,
// or any non-ASCII byte (given the benefit of the doubt: most of it is letters). ASCII
// punctuation alone never makes a word.
bool HasWordCharacter(std::string_view text);

// Whether the field accepts <, <=, >, >= (size, modified, pages, created, taken, width, height).
bool IsComparable(Field field);

// Builds the Filter for `field op value`. Precondition: op is kEq unless IsComparable(field).
// Value syntax per field:
//   mime, name  glob ('*', '?', '[...]' with a closing ']'); name must not contain '/'.
//   ext         "pdf" or ".pdf"; no '/' and no wildcards.
//   path        absolute ("/..."); trailing slashes dropped.
//   size        N[.F][k|M|G|T][B] — binary multiples (1k = 1024); a fraction needs a unit.
//   modified,   YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optional trailing Z; always UTC; years
//   created     1678-2261 (what nanoseconds since the epoch hold in int64).
//   taken       as modified without the 'Z': a local date-time (the camera's clock).
//   pages,      a decimal count (pages, pixels).
//   width, height
//   title, author, subject, from, to, lang, camera
//               a word (bare; a trailing '*' makes it a prefix) or a phrase (quoted), with at
//               least one letter or digit.
//   near        LAT,LON,KM: decimal degrees (latitude -90..90, longitude -180..180, an optional
//               sign, no exponent) and a radius in km above 0, optionally followed by "km".
//   sha256      64 hex digits, any case.
//   dup         empty, "true" or "yes" (any case).
StatusOr<Filter> ParseFilterValue(Field field, Comparison op, const ValueSpan& value);

}  // namespace archivum::query
