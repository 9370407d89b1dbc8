// Parser, part 1: the structure of a query (AND sequences, OR chains, exclusion, parentheses,
// phrases). Bare terms are in parser_terms.cc.
#include "query/parser.h"

#include <utility>
#include <vector>

#include "query/parser_internal.h"

namespace archivum::query {
namespace internal {
namespace {

// An excluded term needs a positive one beside it: see "Positive terms" in parser.h.
bool IsPositive(const Node& node) {
  switch (node.kind) {
    case NodeKind::kTerm: return true;
    case NodeKind::kNot: return false;
    case NodeKind::kAnd:
      for (const Node& c : node.children) {
        if (IsPositive(c)) return true;
      }
      return false;
    case NodeKind::kOr:
      for (const Node& c : node.children) {
        if (!IsPositive(c)) return false;
      }
      return true;
  }
  return false;
}

// Whether every part of `node` is excluded (as opposed to an OR with an excluded alternative).
bool OnlyExclusions(const Node& node) {
  if (node.kind == NodeKind::kNot) return true;
  if (node.kind != NodeKind::kAnd) return false;
  for (const Node& c : node.children) {
    if (!OnlyExclusions(c)) return false;
  }
  return true;
}

std::string VerbForMessage(const VerbCall& v) {
  return "query verb '" + v.verb + ":'";
}

}  // namespace

StatusOr<Query> Parser::Run() {
  if (text_.size() > options_.max_query_bytes) {
    return SyntaxError(options_.max_query_bytes + 1,
                       "a query of at most " + std::to_string(options_.max_query_bytes) + " bytes",
                       std::to_string(text_.size()) + " bytes");
  }
  for (size_t i = 0; i < text_.size(); ++i) {
    const auto c = static_cast<unsigned char>(text_[i]);
    if ((c < 0x20 && !IsSpace(static_cast<char>(c))) || c == 0x7F) {
      return SyntaxError(i + 1, "printable text", DescribeAt(text_, i));
    }
  }
  std::vector<Item> items;
  ARCHIVUM_RETURN_IF_ERROR(Sequence(0, &items));
  if (items.empty()) return SyntaxError(pos_ + 1, "a term", Here());

  Query query;
  std::vector<Node> nodes;
  for (Item& item : items) {
    if (item.verb) {
      query.verbs.push_back(std::move(*item.verb));
    } else {
      nodes.push_back(std::move(*item.node));
    }
  }
  if (nodes.empty()) return query;
  const size_t first_column = nodes[0].column;
  Node where = nodes.size() == 1 ? std::move(nodes[0]) : MakeAnd(std::move(nodes), first_column);
  if (!IsPositive(where)) {
    return SyntaxError(
        1, "at least one term that is not excluded",
        OnlyExclusions(where) ? "only exclusions" : "only OR groups with an excluded alternative");
  }
  query.where = std::move(where);
  return query;
}

Status Parser::Sequence(size_t depth, std::vector<Item>* items) {
  for (;;) {
    SkipSpace();
    if (AtEnd()) return Status::Ok();
    if (text_[pos_] == ')') {
      if (depth > 0) return Status::Ok();
      return SyntaxError(pos_ + 1, "a term", "')' without a matching '('");
    }
    Item item;
    ARCHIVUM_RETURN_IF_ERROR(OrChain(depth, &item));
    if (item.verb && depth > 0) {
      return SyntaxError(item.column, "a term that can be grouped",
                         VerbForMessage(*item.verb) + " (verbs cannot be inside parentheses)");
    }
    items->push_back(std::move(item));
  }
}

Status Parser::OrChain(size_t depth, Item* out) {
  std::vector<Item> alternatives(1);
  ARCHIVUM_RETURN_IF_ERROR(Unary(depth, &alternatives[0]));
  for (;;) {
    const size_t save = pos_;
    SkipSpace();
    if (AtEnd() || !AtKeywordOr(pos_)) {
      pos_ = save;
      break;
    }
    pos_ += 2;
    SkipSpace();
    if (AtEnd() || text_[pos_] == ')') return SyntaxError(pos_ + 1, "a term after OR", Here());
    if (AtKeywordOr(pos_)) return SyntaxError(pos_ + 1, "a term after OR", "'OR'");
    alternatives.emplace_back();
    ARCHIVUM_RETURN_IF_ERROR(Unary(depth, &alternatives.back()));
  }
  if (alternatives.size() == 1) {
    *out = std::move(alternatives[0]);
    return Status::Ok();
  }
  std::vector<Node> nodes;
  for (Item& alt : alternatives) {
    if (alt.verb) {
      return SyntaxError(alt.column, "a term that can be combined with OR",
                         VerbForMessage(*alt.verb) + " (verbs cannot be OR-ed)");
    }
    nodes.push_back(std::move(*alt.node));
  }
  out->column = alternatives[0].column;
  out->node = MakeOr(std::move(nodes), out->column);
  return Status::Ok();
}

Status Parser::Unary(size_t depth, Item* out) {
  if (text_[pos_] != '-') return Primary(depth, out);
  const size_t column = pos_ + 1;
  ++pos_;
  if (AtEnd() || IsSpace(text_[pos_]) || text_[pos_] == ')' || text_[pos_] == '-') {
    return SyntaxError(pos_ + 1, "a term after '-'", Here());
  }
  Item inner;
  ARCHIVUM_RETURN_IF_ERROR(Primary(depth, &inner));
  if (inner.verb) {
    return SyntaxError(column, "a term that can be excluded",
                       VerbForMessage(*inner.verb) + " (verbs cannot be excluded)");
  }
  out->column = column;
  out->node = MakeNot(std::move(*inner.node), column);
  return Status::Ok();
}

Status Parser::Primary(size_t depth, Item* out) {
  const char c = text_[pos_];
  if (c == '(') return Group(depth, out);
  if (c == '"') return PhraseTerm(out);
  if (AtKeywordOr(pos_)) {
    return SyntaxError(pos_ + 1, "a term",
                       "'OR' (OR goes between two terms; quote \"OR\" to search for the word)");
  }
  return Bare(out);
}

Status Parser::Group(size_t depth, Item* out) {
  const size_t column = pos_ + 1;
  if (depth + 1 > options_.max_depth) {
    return SyntaxError(
        column, "at most " + std::to_string(options_.max_depth) + " nested parentheses", "more");
  }
  ++pos_;
  std::vector<Item> items;
  ARCHIVUM_RETURN_IF_ERROR(Sequence(depth + 1, &items));
  if (AtEnd()) return SyntaxError(column, "')' to close this '('", "end of query");
  if (items.empty()) return SyntaxError(pos_ + 1, "a term inside the parentheses", "')'");
  ++pos_;  // ')'
  out->column = column;
  if (items.size() == 1) {
    out->node = std::move(items[0].node);
    out->node->column = column;
  } else {
    std::vector<Node> nodes;
    nodes.reserve(items.size());
    for (Item& item : items) nodes.push_back(std::move(*item.node));
    out->node = MakeAnd(std::move(nodes), column);
  }
  return ExpectTermEnd("')'");
}

Status Parser::ReadQuoted(std::string* out) {
  const size_t open = pos_;
  ++pos_;
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (c == '\\' && pos_ + 1 < text_.size() &&
        (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '\\')) {
      *out += text_[pos_ + 1];
      pos_ += 2;
      continue;
    }
    ++pos_;
    if (c == '"') return Status::Ok();
    *out += c;
  }
  return SyntaxError(open + 1, "a closing '\"' for this quote", "end of query");
}

Status Parser::PhraseTerm(Item* out) {
  const size_t column = pos_ + 1;
  std::string text;
  ARCHIVUM_RETURN_IF_ERROR(ReadQuoted(&text));
  if (text.empty()) return SyntaxError(column, "text between the quotes", "'\"\"'");
  if (!HasWordCharacter(text)) {
    return SyntaxError(column + 1, "letters or digits in the phrase", QuoteForMessage(text));
  }
  ARCHIVUM_RETURN_IF_ERROR(CountTerm(column));
  ARCHIVUM_RETURN_IF_ERROR(ExpectTermEnd("the closing '\"'"));
  out->column = column;
  out->node = MakeTerm(Phrase{std::move(text)}, column);
  return Status::Ok();
}

Status Parser::ExpectTermEnd(std::string_view after_what) const {
  if (AtEnd() || IsSpace(text_[pos_]) || text_[pos_] == ')') return Status::Ok();
  return SyntaxError(pos_ + 1, "whitespace or end of query after " + std::string(after_what),
                     Here());
}

Status Parser::CountTerm(size_t column) {
  if (++terms_ > options_.max_terms) {
    return SyntaxError(column, "at most " + std::to_string(options_.max_terms) + " terms", "more");
  }
  return Status::Ok();
}

}  // namespace internal

StatusOr<Query> Parse(std::string_view text, const ParseOptions& options) {
  return internal::Parser(text, options).Run();
}

}  // namespace archivum::query
