// Parse() on malformed input: exact columns and what was expected.
#include <gtest/gtest.h>

#include "query/parser.h"

namespace archivum::query {
namespace {

// The INVALID_ARGUMENT message for `text`, or "OK <tree>" if it parsed.
std::string Error(std::string_view text, ParseOptions options = {}) {
  if (options.verbs.empty()) options.verbs = {"similar"};
  auto query = Parse(text, options);
  if (query.ok()) return "OK " + DebugString(*query);
  EXPECT_EQ(query.status().code(), StatusCode::kInvalidArgument);
  return query.status().message();
}

TEST(QueryParserErrorsTest, EmptyQueries) {
  EXPECT_EQ(Error(""), "column 1: expected a term, got end of query");
  EXPECT_EQ(Error("   "), "column 4: expected a term, got end of query");
}

TEST(QueryParserErrorsTest, Quotes) {
  EXPECT_EQ(Error("\"abc"), "column 1: expected a closing '\"' for this quote, got end of query");
  EXPECT_EQ(Error("foo \"abc \\\""),
            "column 5: expected a closing '\"' for this quote, got end of query");
  EXPECT_EQ(Error("\"\""), "column 1: expected text between the quotes, got '\"\"'");
  EXPECT_EQ(Error("\"...\""), "column 2: expected letters or digits in the phrase, got '...'");
  EXPECT_EQ(Error("\"a\"b"),
            "column 4: expected whitespace or end of query after the closing '\"', got 'b'");
  EXPECT_EQ(Error("\"a\"*"),
            "column 4: expected whitespace or end of query after the closing '\"', got '*'");
  EXPECT_EQ(Error("path:\"/a"),
            "column 6: expected a closing '\"' for this quote, got end of query");
}

TEST(QueryParserErrorsTest, Exclusions) {
  EXPECT_EQ(Error("-foo"),
            "column 1: expected at least one term that is not excluded, got only exclusions");
  EXPECT_EQ(Error("-a -ext:pdf"),
            "column 1: expected at least one term that is not excluded, got only exclusions");
  EXPECT_EQ(Error("-(a b)"),
            "column 1: expected at least one term that is not excluded, got only exclusions");
  EXPECT_EQ(Error("a OR -b"),
            "column 1: expected at least one term that is not excluded, got only OR groups with "
            "an excluded alternative");
  EXPECT_EQ(Error("(-a -b)"),
            "column 1: expected at least one term that is not excluded, got only exclusions");
  EXPECT_EQ(Error("(a OR -b) -c"),
            "column 1: expected at least one term that is not excluded, got only OR groups with "
            "an excluded alternative");
  EXPECT_EQ(Error("(-a -b) (-c)"),
            "column 1: expected at least one term that is not excluded, got only exclusions");
  EXPECT_EQ(Error("-a (b OR c)"), "OK (and (not a) (or b c))");
  EXPECT_EQ(Error("- foo"), "column 2: expected a term after '-', got whitespace");
  EXPECT_EQ(Error("foo -"), "column 6: expected a term after '-', got end of query");
  EXPECT_EQ(Error("--foo"), "column 2: expected a term after '-', got '-'");
  EXPECT_EQ(Error("(a -)"), "column 5: expected a term after '-', got ')'");
  EXPECT_EQ(Error("a -OR b"),
            "column 4: expected a term, got 'OR' (OR goes between two terms; quote \"OR\" to "
            "search for the word)");
}

TEST(QueryParserErrorsTest, OrKeyword) {
  EXPECT_EQ(Error("OR a"),
            "column 1: expected a term, got 'OR' (OR goes between two terms; quote \"OR\" to "
            "search for the word)");
  EXPECT_EQ(Error("a OR"), "column 5: expected a term after OR, got end of query");
  EXPECT_EQ(Error("a OR   "), "column 8: expected a term after OR, got end of query");
  EXPECT_EQ(Error("a OR OR b"), "column 6: expected a term after OR, got 'OR'");
  EXPECT_EQ(Error("(a OR) b"), "column 6: expected a term after OR, got ')'");
}

TEST(QueryParserErrorsTest, Parentheses) {
  EXPECT_EQ(Error("(a b"), "column 1: expected ')' to close this '(', got end of query");
  EXPECT_EQ(Error("x ((a) b"), "column 3: expected ')' to close this '(', got end of query");
  EXPECT_EQ(Error("a)"), "column 2: expected a term, got ')' without a matching '('");
  EXPECT_EQ(Error("a ) b"), "column 3: expected a term, got ')' without a matching '('");
  EXPECT_EQ(Error("()"), "column 2: expected a term inside the parentheses, got ')'");
  EXPECT_EQ(Error("a (  ) b"), "column 6: expected a term inside the parentheses, got ')'");
  EXPECT_EQ(Error("a(b)"), "column 2: expected whitespace or end of query after 'a', got '('");
  EXPECT_EQ(Error("NEAR(a b)"),
            "column 5: expected whitespace or end of query after 'NEAR', got '('");
  EXPECT_EQ(Error("(a)b"), "column 4: expected whitespace or end of query after ')', got 'b'");
  EXPECT_EQ(Error("(a)(b)"), "column 4: expected whitespace or end of query after ')', got '('");
}

TEST(QueryParserErrorsTest, WordsAndPrefixes) {
  EXPECT_EQ(Error("*foo"), "column 1: expected at least one character before '*', got '*'");
  EXPECT_EQ(Error("a *"), "column 3: expected at least one character before '*', got '*'");
  EXPECT_EQ(Error("fo*o"),
            "column 4: expected whitespace or end of query after '*' (a prefix's '*' ends the "
            "word), got 'o'");
  EXPECT_EQ(Error("fo**"),
            "column 4: expected whitespace or end of query after '*' (a prefix's '*' ends the "
            "word), got '*'");
  EXPECT_EQ(Error("a ..."),
            "column 3: expected a word with letters or digits (quote punctuation to search for "
            "it), got '...'");
  EXPECT_EQ(Error("&&*"),
            "column 1: expected a word with letters or digits (quote punctuation to search for "
            "it), got '&&*'");
  EXPECT_EQ(Error("a\"b\""), "column 2: expected whitespace or end of query after 'a', got '\"'");
  EXPECT_EQ(Error("a\x01"), "column 2: expected printable text, got byte 0x01");
  EXPECT_EQ(Error(std::string_view("a\0b", 3)), "column 2: expected printable text, got byte 0x00");
}

TEST(QueryParserErrorsTest, ColumnsCountBytes) {
  // 'é' is two bytes, so "foo" starts at byte column 4.
  EXPECT_EQ(
      Error("é foo:bar"),
      "unknown filter 'foo' at column 4; expected one of mime, ext, path, name, size, "
      "modified, sha256, dup, title, author, subject, from, to, lang, pages, created, camera, "
      "taken, width, height, near, PLUGIN.KEY, or a query verb (similar)");
  EXPECT_EQ(Error("é(x)"), "column 3: expected whitespace or end of query after 'é', got '('");
  EXPECT_EQ(Error("a é(x)"), "column 5: expected whitespace or end of query after 'é', got '('");
  EXPECT_EQ(Error("a*é"),
            "column 3: expected whitespace or end of query after '*' (a prefix's '*' ends the "
            "word), got 'é'");
}

TEST(QueryParserErrorsTest, UnknownFilters) {
  EXPECT_EQ(
      Error("hello foo:bar"),
      "unknown filter 'foo' at column 7; expected one of mime, ext, path, name, size, "
      "modified, sha256, dup, title, author, subject, from, to, lang, pages, created, camera, "
      "taken, width, height, near, PLUGIN.KEY, or a query verb (similar)");
  ParseOptions two;
  two.verbs = {"similar", "near"};
  EXPECT_EQ(
      Error("http://example.com", two),
      "unknown filter 'http' at column 1; expected one of mime, ext, path, name, size, "
      "modified, sha256, dup, title, author, subject, from, to, lang, pages, created, camera, "
      "taken, width, height, near, PLUGIN.KEY, or a query verb (near, similar)");
  auto none = Parse("x foo:bar", ParseOptions{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(
      none.status().message(),
      "unknown filter 'foo' at column 3; expected one of mime, ext, path, name, size, "
      "modified, sha256, dup, title, author, subject, from, to, lang, pages, created, camera, "
      "taken, width, height, near, or PLUGIN.KEY");
  EXPECT_EQ(
      Error("Similar:/a"),
      "unknown filter 'Similar' at column 1; expected one of mime, ext, path, name, size, "
      "modified, sha256, dup, title, author, subject, from, to, lang, pages, created, camera, "
      "taken, width, height, near, PLUGIN.KEY, or a query verb (similar)");
  EXPECT_EQ(Error("a/b.c:x").substr(0, 31), "unknown filter 'a/b.c' at colum");
  EXPECT_EQ(Error(".k:x").substr(0, 28), "unknown filter '.k' at colum");
  EXPECT_EQ(Error(":x"), "column 1: expected a filter name before ':', got ':'");
  EXPECT_EQ(Error("p.:x"), "column 3: expected a finding key after 'p.', got ':'");
  EXPECT_EQ(Error("a p.k/x:v"),
            "column 6: expected a finding key of letters, digits, '_', '-' or '.', got '/'");
}

TEST(QueryParserErrorsTest, FilterValuesNeedValues) {
  EXPECT_EQ(Error("mime:"), "column 6: expected a value after 'mime:', got end of query");
  EXPECT_EQ(Error("mime: text/plain"), "column 6: expected a value after 'mime:', got whitespace");
  EXPECT_EQ(Error("(ext:)"), "column 6: expected a value after 'ext:', got ')'");
  EXPECT_EQ(Error("size>"), "column 6: expected a value after 'size>', got end of query");
  EXPECT_EQ(Error("size:<= 5"), "column 8: expected a value after 'size:<=', got whitespace");
  EXPECT_EQ(Error("path:\"\""), "column 6: expected a value for path, got an empty string");
  EXPECT_EQ(Error("mime>text"),
            "column 5: expected ':' after 'mime' (only size, modified, pages, created, "
            "taken, width and height compare with < and >), got '>'");
  EXPECT_EQ(Error("name:foo\"bar\""),
            "column 9: expected whitespace or end of query after the filter value, got '\"'");
  EXPECT_EQ(Error("name:\"foo\"bar"),
            "column 11: expected whitespace or end of query after the filter value, got 'b'");
}

TEST(QueryParserErrorsTest, Verbs) {
  EXPECT_EQ(Error("similar:"), "column 9: expected an argument after 'similar:', got end of query");
  EXPECT_EQ(Error("similar:\"\""),
            "column 9: expected an argument after 'similar:', got an empty "
            "string");
  EXPECT_EQ(Error("x -similar:/a"),
            "column 3: expected a term that can be excluded, got query verb 'similar:' (verbs "
            "cannot be excluded)");
  EXPECT_EQ(Error("x OR similar:/a"),
            "column 6: expected a term that can be combined with OR, got query verb 'similar:' "
            "(verbs cannot be OR-ed)");
  EXPECT_EQ(Error("similar:/a OR x"),
            "column 1: expected a term that can be combined with OR, got query verb 'similar:' "
            "(verbs cannot be OR-ed)");
  EXPECT_EQ(Error("x (similar:/a y)"),
            "column 4: expected a term that can be grouped, got query verb 'similar:' (verbs "
            "cannot be inside parentheses)");
  // A verb beside only exclusions leaves a catalog part of exclusions only.
  EXPECT_EQ(Error("similar:/a -x"),
            "column 1: expected at least one term that is not excluded, got only exclusions");
}

TEST(QueryParserErrorsTest, Limits) {
  ParseOptions options;
  options.max_query_bytes = 16;
  EXPECT_EQ(Error("aaaaaa bbbbbbbbbb", options),
            "column 17: expected a query of at most 16 bytes, got 17 bytes");
  EXPECT_EQ(Error(std::string(4097, 'a')),
            "column 4097: expected a query of at most 4096 bytes, got 4097 bytes");

  std::string many;
  for (int i = 0; i < 65; ++i) many += "w" + std::to_string(i % 10) + " ";
  EXPECT_EQ(Error(many), "column 193: expected at most 64 terms, got more");
  options = {};
  options.max_terms = 2;
  EXPECT_EQ(Error("a ext:h similar:/x", options), "column 9: expected at most 2 terms, got more");

  options = {};
  options.max_depth = 2;
  EXPECT_EQ(Error("((a))", options), "OK a");
  EXPECT_EQ(Error("x (((a)))", options),
            "column 5: expected at most 2 nested parentheses, got more");
  EXPECT_EQ(Error(std::string(9, '(') + "a" + std::string(9, ')')),
            "column 9: expected at most 8 nested parentheses, got more");
  // Deep nesting far beyond the limit fails fast instead of recursing.
  EXPECT_EQ(Error(std::string(4000, '(')),
            "column 9: expected at most 8 nested parentheses, got more");
}

TEST(QueryParserErrorsTest, MetadataFieldValues) {
  EXPECT_EQ(Error("author:"), "column 8: expected a value after 'author:', got end of query");
  EXPECT_EQ(Error("title:\"\""), "column 7: expected a value for title, got an empty string");
  EXPECT_EQ(Error("author:..."), "column 8: expected a value with letters or digits, got '...'");
  EXPECT_EQ(Error("from:\"<>\""), "column 6: expected a value with letters or digits, got '<>'");
  EXPECT_EQ(Error("author:*"), "column 8: expected at least one character before '*', got '*'");
  EXPECT_EQ(Error("author:do*e"),
            "column 11: expected end of value after '*' (a prefix's '*' ends the word; quote a "
            "phrase to search for '*'), got 'e'");
  EXPECT_EQ(Error("title>report"),
            "column 6: expected ':' after 'title' (only size, modified, pages, created, "
            "taken, width and height compare with < and >), got '>'");
  EXPECT_EQ(Error("lang<en"),
            "column 5: expected ':' after 'lang' (only size, modified, pages, created, "
            "taken, width and height compare with < and >), got '<'");
}

TEST(QueryParserErrorsTest, PagesAndCreatedValues) {
  EXPECT_EQ(Error("pages>"), "column 7: expected a value after 'pages>', got end of query");
  EXPECT_EQ(Error("pages>ten"), "column 7: expected a page count such as 10, got 't'");
  EXPECT_EQ(Error("pages:12x"), "column 9: expected a page count such as 10, got 'x'");
  EXPECT_EQ(Error("pages<-1"), "column 7: expected a page count such as 10, got '-'");
  EXPECT_EQ(Error("pages>99999999999999999999"),
            "column 7: expected a page count below 2^63, got '99999999999999999999'");
  EXPECT_EQ(Error("created>2024-13-01"), "column 14: expected a month from 01 to 12, got '13'");
  EXPECT_EQ(Error("created<yesterday"),
            "column 9: expected a date like 2024-01-31 or 2024-01-31T12:30[:00][Z], got 'y'");
  EXPECT_EQ(Error("created:2024-02-30"),
            "column 17: expected a day that exists in 2024-02, got '30'");
}

}  // namespace
}  // namespace archivum::query
