// The built yara plugin module through the C ABI, as the host loads it: its descriptor, and
// what create() says about the rules it is configured with (missing, unreadable, not
// compiling), with rule files written into a temporary directory.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"
#include "plugins_bundled/yara_test_util.h"
#include "support/temp_dir.h"

namespace archivum::bundled {
namespace {

using archivum::testing::TempDir;
using testing::AbiString;
using testing::CreateYara;
using testing::LoadedModule;
using testing::RecordingSink;
using testing::TestFile;
using testing::YaraConfig;

constexpr char kGoodRule[] = R"(rule good_rule {
  strings:
    $a = "needle"
  condition:
    $a
}
)";

TEST(YaraAbiTest, DescriptorDeclaresAThreadSafeOptInAnalyzerOfEveryFile) {
  LoadedModule module(ARCHIVUM_YARA_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "yara");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.struct_size, sizeof(archivum_plugin_descriptor));
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_ANALYZE);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE | ARCHIVUM_FLAG_OPT_IN)
      << "useless without rules, so off unless enabled";
  ASSERT_EQ(d.accept_count, 1u);
  EXPECT_EQ(AbiString(d.accept[0]), "*");
  ASSERT_EQ(d.path_key_count, 1u);
  EXPECT_EQ(AbiString(d.path_keys[0]), "rules");
  EXPECT_EQ(d.tuning_key_count, 0u);
  EXPECT_EQ(d.query, nullptr);
  EXPECT_EQ(d.flush, nullptr);
  EXPECT_EQ(d.max_file_size, 0u) << "the host's size limit is the only one";
}

TEST(YaraAbiTest, NoRulesConfiguredIsALoadErrorSayingWhatToSet) {
  for (const std::string config : {"{}", R"({"rules": null})"}) {
    archivum_rc rc = ARCHIVUM_OK;
    std::string error;
    auto module = CreateYara(config, &rc, &error);
    EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT) << config;
    EXPECT_EQ(error.rfind("no rules: set plugins.settings.yara.config.rules", 0), 0u)
        << config << ": " << error;
  }
}

TEST(YaraAbiTest, MalformedSettingsAreRefusedByName) {
  TempDir dir;
  const auto rules = dir.Write("r.yar", kGoodRule);
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(R"({"rules": 42})", &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(error.find("config \"rules\": expected a list of 1 to 1024 strings"), std::string::npos)
      << error;
  // An empty list names nothing to read: the same refusal.
  module = CreateYara(R"({"rules": []})", &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT) << error;
  EXPECT_NE(error.find("config \"rules\": expected a list"), std::string::npos) << error;
  module = CreateYara(R"({"rules": [""]})", &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT) << error;
  module = CreateYara(R"({"rule": ")" + rules.string() + R"("})", &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(error.find("unknown key \"rule\""), std::string::npos) << error;
}

TEST(YaraAbiTest, AMissingRulesPathNamesThePath) {
  TempDir dir;
  const auto missing = dir.path() / "nowhere" / "rules.yar";
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(YaraConfig({missing}), &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_EQ(error, "config \"rules\": " + missing.string() + ": no such file or directory");
}

TEST(YaraAbiTest, ADirectoryWithoutRuleFilesIsAnError) {
  TempDir dir;
  dir.Write("rules/README.txt", "rules go here");
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(YaraConfig({dir.path() / "rules"}), &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_EQ(error, "config \"rules\": " + (dir.path() / "rules").string() +
                       ": the directory holds no .yar or .yara file");
}

TEST(YaraAbiTest, ASyntaxErrorFailsTheLoadWithFileAndLine) {
  TempDir dir;
  const auto good = dir.Write("a_good.yar", kGoodRule);
  // Line 5 lacks the "=" of the string definition.
  const auto bad = dir.Write("b_bad.yar",
                             "// a comment\n"
                             "rule broken\n"
                             "{\n"
                             "  strings:\n"
                             "    $a \"oops\"\n"
                             "  condition:\n"
                             "    $a\n"
                             "}\n");
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(YaraConfig({good, bad}), &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_EQ(error.rfind(bad.string() + ":5: syntax error", 0), 0u) << error;
  EXPECT_EQ(error.find("more)"), std::string::npos) << "one error only: " << error;

  // The same file found through its directory.
  module = CreateYara(YaraConfig({dir.path()}), &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_EQ(error.rfind(bad.string() + ":5: ", 0), 0u) << error;
}

TEST(YaraAbiTest, ASemanticErrorNamesItsLineToo) {
  TempDir dir;
  const auto bad = dir.Write("undefined.yar",
                             "rule uses_unknown {\n"
                             "  condition:\n"
                             "    filesize > 10 and no_such_identifier\n"
                             "}\n");
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(YaraConfig({bad}), &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_EQ(error, bad.string() + ":3: undefined identifier \"no_such_identifier\"");
}

TEST(YaraAbiTest, OneNamespaceSoARuleNameIsDefinedOnce) {
  TempDir dir;
  const auto first = dir.Write("first.yar", kGoodRule);
  const auto second = dir.Write("second.yar", std::string("\n\n") + kGoodRule);
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(YaraConfig({first, second}), &rc, &error);
  EXPECT_EQ(rc, ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_EQ(error, second.string() + ":3: duplicated identifier \"good_rule\"");
}

TEST(YaraAbiTest, ScansThroughTheAbi) {
  TempDir dir;
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto module = CreateYara(YaraConfig({dir.Write("r.yar", kGoodRule)}), &rc, &error);
  ASSERT_EQ(rc, ARCHIVUM_OK) << error;

  TestFile hit("/docs/hay.txt", "hay hay needle hay");
  RecordingSink hit_sink;
  ASSERT_EQ(module->Process(hit, hit_sink), ARCHIVUM_OK) << module->error();
  EXPECT_EQ(hit_sink.finding_list,
            (std::vector<std::pair<std::string, std::string>>{{"rule", "good_rule"}}));

  TestFile empty("/docs/empty", "");
  RecordingSink empty_sink;
  ASSERT_EQ(module->Process(empty, empty_sink), ARCHIVUM_OK) << module->error();
  EXPECT_TRUE(empty_sink.finding_list.empty());

  TestFile cancelled("/docs/hay.txt", "needle");
  cancelled.CancelAfter(0);
  RecordingSink cancelled_sink;
  EXPECT_EQ(module->Process(cancelled, cancelled_sink), ARCHIVUM_CANCELLED);
}

}  // namespace
}  // namespace archivum::bundled
