// plugins.settings: host-side plugin overrides and the free-form `config:` subtree as JSON.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/test_util.h"
#include "gtest/gtest.h"

namespace archivum::config {
namespace {

using nlohmann::json;
using testing::ErrorOf;
using testing::Parse;

// The JSON a plugin named `name` would receive from `yaml`.
json PluginConfig(std::string_view yaml, const std::string& name) {
  StatusOr<Config> config = Parse(yaml);
  if (!config.ok()) {
    ADD_FAILURE() << config.status().ToString();
    return nullptr;
  }
  auto it = config->plugins.settings.find(name);
  if (it == config->plugins.settings.end()) {
    ADD_FAILURE() << "no settings for " << name;
    return nullptr;
  }
  return json::parse(it->second.config_json);
}

TEST(ConfigPluginTest, EveryHostSettingParses) {
  StatusOr<Config> config = Parse(R"(
plugins:
  settings:
    filetype:
      enabled: false
      accept: ["*/*", text/x-c++]
      reject: [video/*]
      timeout: 30s
      max_file_size: 100M
      sha256: 0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef
    hash.sha-256_v2: {}
    bare:
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const auto& settings = config->plugins.settings;
  ASSERT_EQ(settings.size(), 3u);

  const PluginSettings& filetype = settings.at("filetype");
  EXPECT_EQ(filetype.enabled, false);
  EXPECT_EQ(filetype.accept, (std::vector<std::string>{"*/*", "text/x-c++"}));
  EXPECT_EQ(filetype.reject, std::vector<std::string>{"video/*"});
  EXPECT_EQ(filetype.timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(filetype.max_file_size, 100ull << 20);
  // Lower-cased: the loader compares it with a digest it computes itself.
  EXPECT_EQ(filetype.sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  EXPECT_EQ(filetype.config_json, "{}");

  for (const char* name : {"hash.sha-256_v2", "bare"}) {
    const PluginSettings& s = settings.at(name);
    EXPECT_FALSE(s.enabled.has_value()) << name;
    EXPECT_TRUE(s.accept.empty()) << name;
    EXPECT_FALSE(s.timeout.has_value()) << name;
    EXPECT_FALSE(s.max_file_size.has_value()) << name;
    EXPECT_FALSE(s.sha256.has_value()) << name;
    EXPECT_EQ(s.config_json, "{}") << name;
  }
}

TEST(ConfigPluginTest, ConfigBecomesJsonWithYamlTypes) {
  json config = PluginConfig(R"(
plugins:
  settings:
    filetype:
      config:
        bytes: 1M
        count: 42
        negative: -7
        big: 18446744073709551615
        huge: 99999999999999999999
        hex: 0x1F
        ratio: 1.5
        exponent: 1e3
        yes_flag: true
        no_flag: False
        nothing: ~
        empty:
        quoted_number: "42"
        quoted_bool: 'true'
        quoted_null: "null"
        version: "1.10"
        tagged: !!str 7
        infinity: .inf
        list: [1, two, 3.0, null]
        nested: {deep: {unknown_to_the_host: yes}}
)",
                             "filetype");
  json expected = {
      {"bytes", "1M"},
      {"count", 42},
      {"negative", -7},
      {"big", 18446744073709551615ull},
      {"huge", "99999999999999999999"},
      {"hex", 31},
      {"ratio", 1.5},
      {"exponent", 1000.0},
      {"yes_flag", true},
      {"no_flag", false},
      {"nothing", nullptr},
      {"empty", nullptr},
      {"quoted_number", "42"},
      {"quoted_bool", "true"},
      {"quoted_null", "null"},
      {"version", "1.10"},
      {"tagged", "7"},
      {"infinity", ".inf"},
      {"list", {1, "two", 3.0, nullptr}},
      // YAML 1.1's yes is only a string under YAML 1.2.
      {"nested", {{"deep", {{"unknown_to_the_host", "yes"}}}}},
  };
  EXPECT_EQ(config, expected) << config.dump(2);
  EXPECT_TRUE(config["count"].is_number_integer());
  EXPECT_TRUE(config["ratio"].is_number_float());
  EXPECT_TRUE(config["quoted_number"].is_string());
}

TEST(ConfigPluginTest, ConfigKeepsTheOperatorsKeyOrder) {
  StatusOr<Config> config = Parse("plugins:\n  settings:\n    x:\n      config: {b: 1, a: 2}\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->plugins.settings.at("x").config_json, R"({"b":1,"a":2})");
}

TEST(ConfigPluginTest, EmptyConfigIsAnEmptyObject) {
  EXPECT_EQ(PluginConfig("plugins:\n  settings:\n    x:\n      config:\n", "x"), json::object());
  EXPECT_EQ(PluginConfig("plugins:\n  settings:\n    x:\n      config: {}\n", "x"), json::object());
}

TEST(ConfigPluginTest, UnknownKeyOutsideConfigIsAnError) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    filetype:\n      enable: false\n"),
            "test.yaml:4:7: plugins.settings.filetype.enable: expected one of the keys enabled, "
            "accept, reject, timeout, max_file_size, sha256, config, memory, isolation, group, got "
            "'enable'");
}

TEST(ConfigPluginTest, IsolationSettings) {
  StatusOr<Config> defaults = Parse("");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->plugins.isolation, Isolation::kProcess);
  EXPECT_EQ(defaults->plugins.timeout, std::chrono::minutes(10));
  EXPECT_EQ(defaults->plugins.max_crashes, 3u);
  EXPECT_EQ(defaults->plugins.crash_window, std::chrono::minutes(10));

  StatusOr<Config> config = Parse(R"(
plugins:
  isolation: inprocess
  timeout: 30s
  max_crashes: 5
  crash_window: 1h
  settings:
    pdf: {isolation: process, group: parsers, memory: 512M}
    hash: {isolation: inprocess}
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->plugins.isolation, Isolation::kInProcess);
  EXPECT_EQ(config->plugins.timeout, std::chrono::seconds(30));
  EXPECT_EQ(config->plugins.max_crashes, 5u);
  EXPECT_EQ(config->plugins.crash_window, std::chrono::hours(1));
  const PluginSettings& pdf = config->plugins.settings.at("pdf");
  EXPECT_EQ(pdf.isolation, Isolation::kProcess);
  EXPECT_EQ(pdf.group, "parsers");
  EXPECT_EQ(pdf.memory, uint64_t{512} << 20);
  EXPECT_EQ(config->plugins.settings.at("hash").isolation, Isolation::kInProcess);
  EXPECT_FALSE(config->plugins.settings.at("hash").group.has_value());
}

TEST(ConfigPluginTest, InvalidIsolationSettingsAreErrors) {
  EXPECT_EQ(ErrorOf("plugins:\n  isolation: sandbox\n"),
            "test.yaml:2:14: plugins.isolation: expected process or inprocess, got 'sandbox'");
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      isolation: yes\n"),
            "test.yaml:4:18: plugins.settings.x.isolation: expected process or inprocess, got "
            "'yes'");
  EXPECT_NE(ErrorOf("plugins:\n  settings:\n    x:\n      memory: 0\n"), "");
  EXPECT_NE(ErrorOf("plugins:\n  settings:\n    x:\n      group: \"bad group\"\n"), "");
  EXPECT_NE(ErrorOf("plugins:\n  crash_window: 0\n"), "");
}

TEST(ConfigPluginTest, InvalidNamePointsAtTheKey) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    bad name:\n      enabled: true\n"),
            "test.yaml:3:5: plugins.settings.bad name: expected a plugin name of letters, "
            "digits, '_', '.' and '-', got 'bad name'");
}

TEST(ConfigPluginTest, InvalidSettingsPointAtTheValue) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      accept: [text/plain, text]\n"),
            "test.yaml:4:28: plugins.settings.x.accept[1]: expected a MIME type or pattern such "
            "as text/plain or text/*, got 'text'");
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      timeout: 0\n"),
            "test.yaml:4:16: plugins.settings.x.timeout: expected a duration greater than 0, got "
            "'0s'");
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      sha256: 1234\n"),
            "test.yaml:4:15: plugins.settings.x.sha256: expected a SHA-256 digest of 64 hex "
            "digits, got '1234'");
  EXPECT_EQ(ErrorOf("plugins:\n  settings: [x]\n"),
            "test.yaml:2:13: plugins.settings: expected a map of plugin names to their settings, "
            "got '[x]'");
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x: {}\n    x: {}\n"),
            "test.yaml:4:5: plugins.settings.x: expected each plugin once, got 'x' again (first "
            "on line 3)");
}

TEST(ConfigPluginTest, ConfigMustBeAMap) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      config: [1]\n"),
            "test.yaml:4:15: plugins.settings.x.config: expected a map, got '[1]'");
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      config: 5\n"),
            "test.yaml:4:15: plugins.settings.x.config: expected a map, got '5'");
}

TEST(ConfigPluginTest, DuplicateKeyInConfigIsAnError) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      config:\n        a: 1\n        a: 2\n"),
            "test.yaml:6:9: plugins.settings.x.config.a: expected each key once, got 'a' again "
            "(first on line 5)");
}

TEST(ConfigPluginTest, NonScalarKeyInConfigIsAnError) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      config:\n        ? [a]\n        : 1\n"),
            "test.yaml:5:11: plugins.settings.x.config: expected a string key, got '[a]'");
}

TEST(ConfigPluginTest, InvalidUtf8InConfigIsAnError) {
  EXPECT_EQ(ErrorOf("plugins:\n  settings:\n    x:\n      config:\n        name: \"\xff\"\n"),
            "test.yaml:5:15: plugins.settings.x.config.name: expected UTF-8 text, got invalid "
            "bytes");
}

// yaml-cpp builds a cycle from "&a {self: *a}"; the conversion must stop, not recurse forever.
TEST(ConfigPluginTest, CyclicAliasInConfigIsAnError) {
  std::string message = ErrorOf("plugins:\n  settings:\n    x:\n      config: &c {self: *c}\n");
  EXPECT_EQ(message.rfind("test.yaml:4:", 0), 0u) << message;
  EXPECT_NE(message.find("expected at most 64 levels of nesting, got more"), std::string::npos)
      << message;
}

// Aliases can multiply a small file into a huge tree ("billion laughs").
TEST(ConfigPluginTest, AliasExpansionIsBounded) {
  std::string yaml =
      "plugins:\n  settings:\n    x:\n      config:\n        a0: &a0 [1,1,1,1,1,1,1,1,1,1]\n";
  for (int i = 1; i < 6; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "        a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += (k ? ", " : "") + prev;
    yaml += "]\n";
  }
  std::string message = ErrorOf(yaml);
  EXPECT_NE(message.find("expected at most 100000 values (aliases included), got more"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace archivum::config
