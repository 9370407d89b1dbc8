// Translating free-text parts of a query into FTS5 query expressions.
//
// Every word and phrase becomes an FTS5 string literal ("..." with internal quotes doubled), so
// nothing a user types is read as FTS5 syntax (NEAR, column filters, ^, +, bare operators):
// inside a string FTS5 only tokenizes. The result is always bound as a parameter, never spliced
// into SQL. Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"

namespace archivum::store::sqlite {

// The FTS5 string literal for `text`: "text" with every '"' doubled.
std::string FtsString(std::string_view text);

// An FTS5 expression that matches exactly the documents `node` matches, when the node is pure
// free text: words, phrases, prefixes; OR of such; AND groups of such with at least one
// non-excluded member (FTS5's NOT is binary: "a NOT b", never "NOT b" alone). nullopt for
// anything that needs SQL: filters, findings, a bare exclusion, AND/OR mixing in filters.
std::optional<std::string> FtsExpression(const query::Node& node);

// "(p1 AND p2) NOT n1 NOT n2", fully parenthesized. Precondition: positives is not empty.
std::string FtsConjunction(const std::vector<std::string>& positives,
                           const std::vector<std::string>& negatives);

// "(a1 OR a2 ...)"; the single alternative itself when there is one. Precondition: not empty.
std::string FtsDisjunction(const std::vector<std::string>& alternatives);

}  // namespace archivum::store::sqlite
