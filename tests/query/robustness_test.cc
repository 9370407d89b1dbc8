// Untrusted input: random bytes either parse or fail with INVALID_ARGUMENT, never crash. Seeds
// are fixed, so failures reproduce. (Compiling what parses is tested with the store's compiler:
// tests/store/sqlite/query_robustness_test.cc.)
#include <gtest/gtest.h>

#include <random>

#include "query/parser.h"

namespace archivum::query {
namespace {

TEST(QueryRobustnessTest, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text(rng() % 48, '\0');
    // Half of the strings avoid control bytes so they get past the first check.
    for (char& c : text) c = static_cast<char>(i % 2 ? 32 + rng() % 224 : rng() % 256);
    auto query = Parse(text);
    if (!query.ok()) {
      EXPECT_EQ(query.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    ++parsed;
  }
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace archivum::query
