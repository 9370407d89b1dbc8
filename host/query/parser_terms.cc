// Parser, part 2: bare terms — words, prefixes, built-in filters, plugin finding filters and
// query verbs — everything read from a run of bytes up to the next delimiter.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/parser_internal.h"

namespace archivum::query::internal {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsPluginChar(char c) {
  return IsAsciiAlnum(c) || c == '_' || c == '-';
}

bool IsKeyChar(char c) {
  return IsPluginChar(c) || c == '.';
}

// "size, modified, ... and height": the fields that compare with < and >, for messages.
std::string ComparableFields() {
  std::vector<std::string_view> names;
  for (Field field : kAllFields) {
    if (IsComparable(field)) names.push_back(FieldName(field));
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

Status Parser::Bare(Item* out) {
  const size_t start = pos_;
  size_t end = start;
  while (end < text_.size() && !IsDelimiter(text_[end])) ++end;
  const std::string_view run = text_.substr(start, end - start);

  // "size>1M", "modified<=2024-01-01": a field name directly followed by a comparison.
  const size_t special = run.find_first_of("<>:");
  if (special != std::string_view::npos && run[special] != ':') {
    const std::string_view name = run.substr(0, special);
    if (const auto field = LookupField(name)) {
      if (!IsComparable(*field)) {
        return SyntaxError(start + special + 1,
                           "':' after '" + std::string(name) + "' (only " + ComparableFields() +
                               " compare with < and >)",
                           DescribeAt(text_, start + special));
      }
      return FilterTerm(*field, start, start + special, end, out);
    }
  }
  const size_t colon = run.find(':');
  if (colon != std::string_view::npos) {
    if (colon == 0) return SyntaxError(start + 1, "a filter name before ':'", "':'");
    return NamedTerm(run.substr(0, colon), start, start + colon + 1, end, out);
  }
  pos_ = end;
  return WordTerm(run, start, out);
}

Status Parser::WordTerm(std::string_view run, size_t start, Item* out) {
  const size_t column = start + 1;
  const size_t star = run.find('*');
  std::string_view text = run;
  if (star != std::string_view::npos) {
    if (star == 0) return SyntaxError(column, "at least one character before '*'", "'*'");
    if (star + 1 != run.size()) {
      return SyntaxError(column + star + 1,
                         "whitespace or end of query after '*' (a prefix's '*' ends the word)",
                         DescribeAt(text_, start + star + 1));
    }
    text = run.substr(0, star);
  }
  if (!HasWordCharacter(text)) {
    return SyntaxError(column, "a word with letters or digits (quote punctuation to search for it)",
                       QuoteForMessage(run));
  }
  ARCHIVUM_RETURN_IF_ERROR(CountTerm(column));
  ARCHIVUM_RETURN_IF_ERROR(ExpectTermEnd(QuoteForMessage(run)));
  out->column = column;
  if (star != std::string_view::npos) {
    out->node = MakeTerm(Prefix{std::string(text)}, column);
  } else {
    out->node = MakeTerm(Word{std::string(text)}, column);
  }
  return Status::Ok();
}

Status Parser::NamedTerm(std::string_view name, size_t name_start, size_t value_start,
                         size_t run_end, Item* out) {
  const size_t column = name_start + 1;
  if (const auto field = LookupField(name)) {
    return FilterTerm(*field, name_start, value_start, run_end, out);
  }
  if (options_.verbs.find(name) != options_.verbs.end()) {
    std::string argument;
    ValueSpan span;
    ARCHIVUM_RETURN_IF_ERROR(ReadValue(value_start, run_end, &argument, &span));
    if (argument.empty()) {
      return SyntaxError(span.column, "an argument after '" + std::string(name) + ":'",
                         span.quoted ? "an empty string" : DescribeAt(text_, value_start));
    }
    ARCHIVUM_RETURN_IF_ERROR(CountTerm(column));
    out->column = column;
    out->verb = VerbCall{std::string(name), std::move(argument)};
    return Status::Ok();
  }
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return UnknownFilter(name, column);
  const std::string_view plugin = name.substr(0, dot);
  const std::string_view key = name.substr(dot + 1);
  for (char c : plugin) {
    if (!IsPluginChar(c)) return UnknownFilter(name, column);
  }
  if (key.empty()) {
    return SyntaxError(column + dot + 1, "a finding key after '" + std::string(plugin) + ".'",
                       "':'");
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (!IsKeyChar(key[i])) {
      return SyntaxError(column + dot + 1 + i, "a finding key of letters, digits, '_', '-' or '.'",
                         DescribeAt(key, i));
    }
  }
  FindingFilter finding{std::string(plugin), std::string(key), ""};
  ValueSpan span;
  ARCHIVUM_RETURN_IF_ERROR(ReadValue(value_start, run_end, &finding.value, &span));
  ARCHIVUM_RETURN_IF_ERROR(CountTerm(column));
  out->column = column;
  out->node = MakeTerm(std::move(finding), column);
  return Status::Ok();
}

Status Parser::FilterTerm(Field field, size_t name_start, size_t value_start, size_t run_end,
                          Item* out) {
  const size_t column = name_start + 1;
  Comparison op = Comparison::kEq;
  // The operator: after the name ("size>1M"), or after the colon ("size:>1M").
  if (IsComparable(field) && value_start < run_end &&
      (text_[value_start] == '<' || text_[value_start] == '>')) {
    op = text_[value_start] == '<' ? Comparison::kLt : Comparison::kGt;
    ++value_start;
    if (value_start < run_end && text_[value_start] == '=') {
      op = op == Comparison::kLt ? Comparison::kLe : Comparison::kGe;
      ++value_start;
    }
  }
  const std::string written(text_.substr(name_start, value_start - name_start));
  std::string value;
  ValueSpan span;
  ARCHIVUM_RETURN_IF_ERROR(ReadValue(value_start, run_end, &value, &span));
  if (value.empty() && !span.quoted && field != Field::kDup) {
    return SyntaxError(span.column, "a value after '" + written + "'",
                       DescribeAt(text_, value_start));
  }
  auto filter = ParseFilterValue(field, op, span);
  if (!filter.ok()) return filter.status();
  ARCHIVUM_RETURN_IF_ERROR(CountTerm(column));
  out->column = column;
  out->node = MakeTerm(std::move(*filter), column);
  return Status::Ok();
}

Status Parser::ReadValue(size_t value_start, size_t run_end, std::string* value, ValueSpan* span) {
  if (value_start == run_end && run_end < text_.size() && text_[run_end] == '"') {
    pos_ = run_end;
    ARCHIVUM_RETURN_IF_ERROR(ReadQuoted(value));
    span->column = run_end + 1;
    span->quoted = true;
  } else {
    *value = std::string(text_.substr(value_start, run_end - value_start));
    pos_ = run_end;
    span->column = value_start + 1;
    span->quoted = false;
  }
  span->text = *value;
  return ExpectTermEnd("the filter value");
}

Status Parser::UnknownFilter(std::string_view name, size_t column) const {
  std::string message = "unknown filter " + QuoteForMessage(name) + " at column " +
                        std::to_string(column) + "; expected one of ";
  for (Field field : kAllFields) {
    message += FieldName(field);
    message += ", ";
  }
  if (options_.verbs.empty()) {
    message += "or PLUGIN.KEY";
  } else {
    message += "PLUGIN.KEY, or a query verb (";
    bool first = true;
    for (const std::string& verb : options_.verbs) {
      if (!first) message += ", ";
      message += verb;
      first = false;
    }
    message += ")";
  }
  return InvalidArgument(std::move(message));
}

}  // namespace archivum::query::internal
