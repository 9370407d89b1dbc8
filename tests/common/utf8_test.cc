// common/utf8.h: UTF-8 validation (the ASCII fast path included) and the escaping of invalid
// bytes for display.
#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace archivum {
namespace {

TEST(Utf8Test, ValidatesEncoding) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

// The ASCII fast path reads 8 bytes at a time: every sequence, valid or not, must be judged the
// same at every offset and with every amount of ASCII after it.
TEST(Utf8Test, SameVerdictAtEveryOffsetOfABlock) {
  const std::pair<std::string, bool> cases[] = {
      {"\xc3\xa9", true},  {"\xe2\x82\xac", true},  {"\xf0\x9f\x98\x80", true},  {"\xc3", false},
      {"\xc0\xaf", false}, {"\xed\xa0\x80", false}, {"\xf4\x90\x80\x80", false}, {"\xff", false},
      {"\x80", false}};
  for (const auto& [sequence, valid] : cases) {
    for (size_t before = 0; before < 20; ++before) {
      for (size_t after = 0; after < 20; ++after) {
        const std::string text = std::string(before, 'a') + sequence + std::string(after, 'z');
        EXPECT_EQ(IsValidUtf8(text), valid) << "before=" << before << " after=" << after;
      }
    }
  }
  EXPECT_TRUE(IsValidUtf8(std::string(4096, 'x')));
  EXPECT_TRUE(IsValidUtf8(std::string(4096, '\0')));  // NUL is valid UTF-8
}

TEST(EscapeInvalidUtf8Test, EscapesOnlyTheBytesThatAreNotUtf8) {
  EXPECT_EQ(EscapeInvalidUtf8("plain/ascii.txt"), "plain/ascii.txt");
  EXPECT_EQ(EscapeInvalidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(EscapeInvalidUtf8("a\xff\xfe"), "a\\xFF\\xFE");
  EXPECT_EQ(EscapeInvalidUtf8("\xc3\x28"), "\\xC3(");               // lead without continuation
  EXPECT_EQ(EscapeInvalidUtf8("\xe2\x82"), "\\xE2\\x82");           // truncated at the end
  EXPECT_EQ(EscapeInvalidUtf8("\xc0\xaf"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(EscapeInvalidUtf8("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_TRUE(IsValidUtf8(EscapeInvalidUtf8("\x80\x81 any \xf8 bytes")));
}

}  // namespace
}  // namespace archivum
