// plugins::MimeMatches: the accept and reject patterns that route files to plugins (shell
// patterns, case-insensitive, a fast path for literal and one-star patterns).
#include "plugins/mime_match.h"

#include <gtest/gtest.h>

namespace archivum::plugins {
namespace {

TEST(MimeMatchTest, MatchesShellPatternsCaseInsensitively) {
  EXPECT_TRUE(MimeMatches("text/*", "text/plain"));
  EXPECT_TRUE(MimeMatches("text/*", "TEXT/Plain; charset=utf-8"));
  EXPECT_TRUE(MimeMatches("application/pdf", "application/pdf"));
  EXPECT_FALSE(MimeMatches("text/*", "application/pdf"));
  EXPECT_TRUE(MimeMatches("*/*", ""));
  EXPECT_TRUE(MimeMatches("*", "image/png"));
  EXPECT_FALSE(MimeMatches("text/*", ""));
  EXPECT_TRUE(AnyMimeMatches({"image/*", "application/vnd.*"}, "application/vnd.ms-excel"));
  EXPECT_FALSE(AnyMimeMatches({}, "text/plain"));
  // Literal and one-star patterns take the fast path; the rest goes to fnmatch. Both agree on
  // case-insensitivity and on '*' spanning '/' and '.'.
  EXPECT_TRUE(MimeMatches("TEXT/PLAIN", "text/plain"));
  EXPECT_FALSE(MimeMatches("text/plain", "text/plainer"));
  EXPECT_FALSE(MimeMatches("text/plain", "text/plai"));
  EXPECT_TRUE(MimeMatches("*/xml", "application/xml"));
  EXPECT_FALSE(MimeMatches("*/xml", "application/xhtml+xml"));
  EXPECT_TRUE(MimeMatches("application/*+xml", "Application/XHTML+XML"));
  EXPECT_FALSE(MimeMatches("application/*+xml", "application/+xm"));
  EXPECT_TRUE(MimeMatches("te*", "text/x-c++"));
  EXPECT_TRUE(MimeMatches("text/?lain", "text/Plain"));
  EXPECT_TRUE(MimeMatches("text/[pq]lain", "text/qlain"));
  EXPECT_FALSE(MimeMatches("text/[pq]lain", "text/rlain"));
  EXPECT_TRUE(MimeMatches("*/*+*", "image/svg+xml"));
  EXPECT_FALSE(MimeMatches("*/*+*", "image/png"));
}

}  // namespace
}  // namespace archivum::plugins
