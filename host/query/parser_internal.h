// Private to the parser: the recursive-descent Parser shared by parser.cc (query structure:
// AND, OR, '-', parentheses, phrases) and parser_terms.cc (bare terms: words, prefixes,
// filters, plugin findings, verbs). Not for use outside host/query.
//
// Thread safety: a Parser is used by one thread for one parse.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/ast.h"
#include "query/filter_values.h"
#include "query/parser.h"
#include "query/syntax_error.h"

namespace archivum::query::internal {

// Bytes that end a bare term.
inline bool IsDelimiter(char c) {
  return IsSpace(c) || c == '"' || c == '(' || c == ')';
}

// What a primary produced: a tree node, or a verb that the top level hoists out of the tree.
struct Item {
  std::optional<Node> node;
  std::optional<VerbCall> verb;
  size_t column = 1;
};

// One parse of one query. Positions (pos_, starts, ends) are 0-based byte offsets; columns in
// nodes and errors are offset + 1. `options` must outlive the Parser.
class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : text_(text), options_(options) {}

  StatusOr<Query> Run();

 private:
  // parser.cc: structure.
  Status Sequence(size_t depth, std::vector<Item>* items);
  Status OrChain(size_t depth, Item* out);
  Status Unary(size_t depth, Item* out);
  Status Primary(size_t depth, Item* out);
  Status Group(size_t depth, Item* out);
  Status PhraseTerm(Item* out);
  // Reads the quoted string at pos_ (which is at '"'); leaves pos_ after the closing quote.
  Status ReadQuoted(std::string* out);
  // After a term: whitespace, ')' or the end of the query must follow.
  Status ExpectTermEnd(std::string_view after_what) const;
  Status CountTerm(size_t column);

  // parser_terms.cc: a bare run of bytes up to the next delimiter.
  Status Bare(Item* out);
  Status WordTerm(std::string_view run, size_t start, Item* out);
  Status FilterTerm(Field field, size_t name_start, size_t value_start, size_t run_end, Item* out);
  Status NamedTerm(std::string_view name, size_t name_start, size_t value_start, size_t run_end,
                   Item* out);
  // Reads a filter value starting at value_start, bare (up to run_end) or quoted.
  Status ReadValue(size_t value_start, size_t run_end, std::string* value, ValueSpan* span);
  Status UnknownFilter(std::string_view name, size_t column) const;

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  bool AtKeywordOr(size_t p) const {
    return text_.substr(p, 2) == "OR" && (p + 2 >= text_.size() || IsDelimiter(text_[p + 2]));
  }
  std::string Here() const { return DescribeAt(text_, pos_); }

  std::string_view text_;
  const ParseOptions& options_;
  size_t pos_ = 0;
  size_t terms_ = 0;
};

}  // namespace archivum::query::internal
