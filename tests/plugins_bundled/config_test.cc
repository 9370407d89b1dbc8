// The configuration and UTF-8 helpers shared by the bundled plugins.
#include "common/config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archivum/plugin.hpp"
#include "common/utf8.h"

namespace archivum::bundled {
namespace {

TEST(PluginConfigTest, ParsesSizes) {
  EXPECT_EQ(ParseSize("0"), 0u);
  EXPECT_EQ(ParseSize("512"), 512u);
  EXPECT_EQ(ParseSize("4k"), 4096u);
  EXPECT_EQ(ParseSize("4KB"), 4096u);
  EXPECT_EQ(ParseSize("4KiB"), 4096u);
  EXPECT_EQ(ParseSize("1M"), 1u << 20);
  EXPECT_EQ(ParseSize("2g"), uint64_t{2} << 30);
  EXPECT_EQ(ParseSize("1T"), uint64_t{1} << 40);
  EXPECT_EQ(ParseSize("100B"), 100u);
  for (const char* bad :
       {"", "k", "1.5M", "-1", "1 M", "1X", "1Mx", "1iB", "99999999999999999999", "20000000T"}) {
    EXPECT_FALSE(ParseSize(bad).has_value()) << bad;
  }
}

TEST(PluginConfigTest, ParsesBooleans) {
  const PluginConfig config(R"({"a": true, "b": "false", "c": null, "d": 1, "e": "yes"})",
                            {"a", "b", "c", "d", "e", "f"});
  EXPECT_TRUE(config.Bool("a", false));
  EXPECT_FALSE(config.Bool("b", true));
  EXPECT_TRUE(config.Bool("c", true));  // null counts as absent
  EXPECT_FALSE(config.Bool("f", false));
  EXPECT_THROW(config.Bool("d", false), sdk::Error);
  EXPECT_THROW(config.Bool("e", false), sdk::Error);
}

TEST(PluginConfigTest, ReportsTheOffendingKey) {
  const PluginConfig config(R"({"size": "huge", "count": 3})", {"size", "count"});
  try {
    config.Size("size", 1, 1, 100);
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(e.what()),
              "config \"size\": expected a size from 1 to 100 bytes (e.g. 4096 or \"1M\"), got "
              "\"huge\"");
  }
  EXPECT_EQ(config.Integer("count", 0, 0, 10), 3);
  EXPECT_EQ(config.Integer("absent", 7, 0, 10), 7);
}

TEST(PluginConfigTest, RefusesUnknownKeysAndNonObjects) {
  try {
    PluginConfig(R"({"treshold": 0.5})", {"threshold"});
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(std::string(e.what()), "config: unknown key \"treshold\" (known keys: threshold)");
  }
  EXPECT_THROW(PluginConfig("[]", {}), sdk::Error);
  EXPECT_THROW(PluginConfig("null", {}), sdk::Error);
  EXPECT_NO_THROW(PluginConfig("  ", {}));
  EXPECT_NO_THROW(PluginConfig(R"({"x": null})", {"x"}));
}

TEST(PluginConfigTest, ReadsOneStringOrAListOfThem) {
  using List = std::vector<std::string>;
  const PluginConfig config(
      R"({"one": "a.yar", "many": ["a.yar", "dir/"], "none": [], "null": null,
          "number": 3, "mixed": ["a", 1], "blank": ["a", ""]})",
      {"one", "many", "none", "null", "number", "mixed", "blank"});
  const List fallback{"default"};
  EXPECT_EQ(config.StringList("one", fallback, 8, 16), List{"a.yar"});
  EXPECT_EQ(config.StringList("many", fallback, 8, 16), (List{"a.yar", "dir/"}));
  EXPECT_EQ(config.StringList("null", fallback, 8, 16), fallback);
  EXPECT_EQ(config.StringList("absent", fallback, 8, 16), fallback);
  for (const char* key : {"none", "number", "mixed", "blank"}) {
    try {
      config.StringList(key, fallback, 8, 16);
      ADD_FAILURE() << key;
    } catch (const sdk::Error& e) {
      EXPECT_EQ(
          std::string(e.what()).rfind(std::string("config \"") + key +
                                          "\": expected a list of 1 to 8 strings of 1 to 16 bytes",
                                      0),
          0u)
          << e.what();
    }
  }
  // Bounds: more items or longer strings than allowed are refused too.
  EXPECT_THROW(config.StringList("many", fallback, 1, 16), sdk::Error);
  EXPECT_THROW(config.StringList("many", fallback, 8, 4), sdk::Error);
}

TEST(Utf8Test, SanitizeReplacesEachBrokenSequenceOnce) {
  EXPECT_EQ(SanitizeUtf8("ok"), "ok");
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xe2\x82"), "\xef\xbf\xbd");  // truncated 3-byte sequence
  // F4 90 is past U+10FFFF: four bytes, four replacements.
  EXPECT_EQ(SanitizeUtf8("\xf4\x90\x80\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(Utf8Test, BoundaryNeverSplitsACharacter) {
  const std::string s =
      "a\xe2\x82\xac"
      "b";  // a € b
  EXPECT_EQ(Utf8Boundary(s, 0), 0u);
  EXPECT_EQ(Utf8Boundary(s, 1), 1u);
  EXPECT_EQ(Utf8Boundary(s, 2), 1u);
  EXPECT_EQ(Utf8Boundary(s, 3), 1u);
  EXPECT_EQ(Utf8Boundary(s, 4), 4u);
  EXPECT_EQ(Utf8Boundary(s, 99), s.size());
}

}  // namespace
}  // namespace archivum::bundled
