// FtsString and the free-text expressions (the rest is exercised through Compile in
// query_compiler_test.cc).
#include "store/sqlite/fts_expression.h"

#include <gtest/gtest.h>

namespace archivum::store::sqlite {
namespace {

TEST(QueryCompilerTest, FtsStringDoublesQuotes) {
  EXPECT_EQ(FtsString(""), "\"\"");
  EXPECT_EQ(FtsString("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(FtsString("\"\""), "\"\"\"\"\"\"");
}

}  // namespace
}  // namespace archivum::store::sqlite
