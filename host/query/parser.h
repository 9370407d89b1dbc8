// Parser of the Analyze query language (the product spec's "free words, phrases, prefix*, OR,
// -exclusion, filters and plugin verbs").
//
// Grammar (terms are separated by whitespace; keywords and field names are ASCII):
//
//   query    := sequence                       at least one term; see "Positive terms"
//   sequence := or_chain { or_chain }          implicit AND between whitespace-separated terms
//   or_chain := unary { "OR" unary }           OR binds tighter than AND: a b OR c = a AND (b OR c)
//   unary    := "-" primary | primary          exclusion; no space after '-'; no "--"
//   primary  := "(" sequence ")"               grouping, at most max_depth levels deep
//             | phrase | filter | verb | prefix | word
//   phrase   := '"' { char | '\"' | '\\' } '"' other backslashes are literal
//   prefix   := word-chars "*"                 '*' only at the end, at least one char before it
//   word     := run of bytes other than whitespace, '"', '(', ')'; not containing ':' and not
//               the keyword OR (uppercase only; "or" is a word; quote "OR" to search for it)
//   filter   := field ":" value
//               | ("size"|"modified"|"pages"|"created"|"taken"|"width"|"height")
//                 ("<"|"<="|">"|">=") value
//               | PLUGIN "." KEY ":" [value]
//   verb     := VERB ":" value                 VERB registered in ParseOptions::verbs
//   value    := bare run (may contain '*', '?', '[', ':') | phrase-style quoted string
//
// Every term must be followed by whitespace, ')' or the end: "a(b)" and "\"x\"y" are errors,
// not silent re-readings. Parentheses, quotes, ':' and a word-internal '*' are syntax, so text
// containing them is searched by quoting it ("printf(x)"); inside quotes nothing is syntax.
// "size:>1M" is accepted as a synonym for "size>1M". Filter names (built-in) are matched
// ASCII-case-insensitively; plugin names, keys and verbs exactly. A name that is a built-in
// field wins over a verb of the same name; a verb wins over PLUGIN.KEY.
//
// Semantics the parser fixes (see ast.h for the normalized values):
//   ext:"" (an empty quoted value) selects documents without an extension.
//   modified>D means mtime > D at 00:00:00Z (an instant, not "after that day"); <, <=, >=
//   likewise compare with the instant. modified:D (equality) means "within the named day,
//   minute or second". size:N is exact equality in bytes. created compares the same way with
//   the document's "created" metadata, pages with its "pages", width and height with its
//   "width" and "height" (pixels; > and < are strict).
//   taken compares with the document's "taken" metadata (when a photo was taken) as local
//   date-times, as written on both sides: the photo's "2024-06-01T14:30:00+02:00" reads as
//   2024-06-01 14:30 whatever its offset, and the query's date names the same wall-clock
//   reading (so no 'Z' is accepted). The camera's clock is what the photographer saw, and most
//   photos state no offset at all, so normalizing only those that do would order photos of one
//   trip inconsistently. taken:D is "within that day, minute or second" of local time.
//   title:, author:, subject:, from:, to:, lang:, camera: take a word (author:doe), a prefix
//   (author:do*) or a "quoted phrase", matched against the words of the metadata values of that
//   key (lang: is the key "language", camera: either of "camera_make" and "camera_model"); a
//   bare value that tokenizes to several words (from:ann@example.org) is the phrase of them,
//   like a free word.
//   near:LAT,LON,KM matches documents whose "gps_lat"/"gps_lon" pair (of one plugin) lies within
//   KM kilometres of the point (great-circle distance on a sphere of the Earth's mean radius).
//
// Positive terms: a query whose catalog part could match "everything except ..." is refused:
// the catalog part must contain a term every result must satisfy that is not an exclusion
// (an OR group counts only if all of its alternatives do). Verbs cannot be excluded, OR-ed or
// put inside parentheses. Words made only of ASCII punctuation ("...", "&") are refused
// because full-text search sees no word in them to match.
//
// Thread safety: Parse is a pure function; ParseOptions is read only.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/ast.h"

namespace archivum::query {

struct ParseOptions {
  // Query verbs registered by plugins (e.g. {"similar"}); matched exactly.
  std::set<std::string, std::less<>> verbs;
  // Longer queries are refused before any parsing.
  size_t max_query_bytes = 4096;
  // Leaf terms (words, phrases, prefixes, filters, verbs) allowed in one query.
  size_t max_terms = 64;
  // Nesting depth of parentheses; bounds recursion here and in whatever evaluates the tree.
  size_t max_depth = 8;
};

// Parses `text` into a Query. Errors: INVALID_ARGUMENT "column N: expected X, got Y" (N is the
// 1-based byte column), except the unknown-filter error which reads "unknown filter 'foo' at
// column N; expected one of mime, ext, ..., created, PLUGIN.KEY, or a query verb (similar)".
// Untrusted input never crashes or asserts.
StatusOr<Query> Parse(std::string_view text, const ParseOptions& options = {});

}  // namespace archivum::query
