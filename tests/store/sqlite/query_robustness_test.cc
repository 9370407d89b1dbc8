// Untrusted input reaching the compiler: random token soups and random bytes either fail to
// parse with INVALID_ARGUMENT or compile to SQL that runs. Seeds are fixed, so failures
// reproduce.
#include <gtest/gtest.h>

#include <random>

#include "catalog_fixture.h"
#include "query/parser.h"

namespace archivum::store::sqlite {
namespace {

using query::Parse;
using query::ParseOptions;

bool IsSyntaxMessage(const std::string& message) {
  return message.rfind("column ", 0) == 0 || message.rfind("unknown filter ", 0) == 0;
}

TEST(QueryRobustnessTest, TokenSoupsParseOrFailCleanlyAndAlwaysExecute) {
  QueryCatalog catalog;
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  ASSERT_EQ(
      catalog.Insert({{"/data/a.txt", 10, 1, "text/plain", std::string(64, 'a'), "revenue report"},
                      {"/data/b.md", 2000, 2, "text/markdown", std::string(64, 'a'), "old"},
                      {"/x/c.h", 5, 3, "text/x-c", "", std::nullopt}},
                     {{"/x/c.h", "tag", "label", "what?"}}),
      "");
  const std::vector<std::string> vocabulary = {"revenue",
                                               "rep*",
                                               "\"old revenue\"",
                                               "OR",
                                               "-",
                                               "(",
                                               ")",
                                               "ext:txt",
                                               "size>1k",
                                               "path:/data",
                                               "dup:",
                                               "filetype.mime:",
                                               "x:y",
                                               "NEAR(",
                                               "é",
                                               "\"",
                                               "*",
                                               "tag.label:what?",
                                               "old",
                                               "name:*.h",
                                               "similar:/a",
                                               "modified>2024-01-01",
                                               "mime:text/*",
                                               "\\",
                                               ":",
                                               "sha256:00",
                                               "a\"b\"",
                                               "OR\"x\""};
  std::mt19937 rng(20240101);
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int terms = 1 + static_cast<int>(rng() % 6);
    for (int t = 0; t < terms; ++t) {
      text += vocabulary[rng() % vocabulary.size()];
      if (rng() % 4 != 0) text += ' ';
    }
    ParseOptions options;
    options.verbs = {"similar"};
    auto query = Parse(text, options);
    if (!query.ok()) {
      EXPECT_EQ(query.status().code(), StatusCode::kInvalidArgument) << text;
      EXPECT_TRUE(IsSyntaxMessage(query.status().message()))
          << text << " → " << query.status().message();
      continue;
    }
    ++parsed;
    auto compiled = Compile(*query, 1000, 0);
    ASSERT_TRUE(compiled.ok()) << text << " → " << compiled.status().ToString();
    if (!compiled->has_catalog_terms) continue;
    QueryRows rows = catalog.Execute(*compiled);
    EXPECT_EQ(rows.error, "") << text;
    EXPECT_EQ(rows.total, static_cast<int64_t>(rows.paths.size())) << text;
  }
  EXPECT_GT(parsed, 300);  // the soup must exercise the compiler, not only the errors
}

// The compile half of QueryRobustnessTest.RandomBytesNeverCrash (tests/query): the same random
// strings, and every one that parses compiles.
TEST(QueryRobustnessTest, RandomBytesThatParseAlwaysCompile) {
  std::mt19937 rng(7);
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text(rng() % 48, '\0');
    for (char& c : text) c = static_cast<char>(i % 2 ? 32 + rng() % 224 : rng() % 256);
    auto query = Parse(text);
    if (!query.ok()) continue;
    ++parsed;
    EXPECT_TRUE(Compile(*query, 10, 0).ok());
  }
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace archivum::store::sqlite
