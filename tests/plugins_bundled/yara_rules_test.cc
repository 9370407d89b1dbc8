// The yara plugin's parts behind the module: which files a `rules` setting names, the values
// of the externals, and the compiler's warnings (which the module logs through the host).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "archivum/plugin.hpp"
#include "support/temp_dir.h"
#include "yara/rule_files.h"
#include "yara/rule_set.h"

namespace archivum::bundled::yara {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;

TEST(YaraRuleFilesTest, DirectoriesExpandToTheirRuleFilesSortedAndRecursively) {
  TempDir dir;
  dir.Write("rules/b.yar", "");
  dir.Write("rules/a/z.yara", "");
  dir.Write("rules/a/UPPER.YAR", "");
  dir.Write("rules/c.txt", "");
  dir.Write("rules/yar", "");
  const fs::path single = dir.Write("single.rules", "");
  const fs::path r = dir.path() / "rules";
  EXPECT_EQ(ListRuleFiles({single.string(), r.string()}),
            (std::vector<fs::path>{single, r / "a/UPPER.YAR", r / "a/z.yara", r / "b.yar"}));
}

TEST(YaraRuleFilesTest, WhatIsNotThereOrNotAFileIsAnError) {
  TempDir dir;
  try {
    ListRuleFiles({"/dev/null"});
    FAIL() << "a device is not a rule file";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(e.what()), "config \"rules\": /dev/null: neither a file nor a directory");
  }
  EXPECT_THROW(ListRuleFiles({(dir.path() / "missing").string()}), sdk::Error);
}

TEST(YaraExternalsTest, NamePathExtensionAndMime) {
  using Values = std::array<std::string, kExternals.size()>;
  EXPECT_EQ(FileExternals("/docs/Report.Final.PDF", "application/pdf"),
            (Values{"Report.Final.PDF", "/docs/Report.Final.PDF", ".pdf", "application/pdf"}));
  EXPECT_EQ(FileExternals("/a/b.zip!/dir/x.tar.gz", ""),
            (Values{"x.tar.gz", "/a/b.zip!/dir/x.tar.gz", ".gz", ""}));
  EXPECT_EQ(FileExternals("/a/.bashrc", ""), (Values{".bashrc", "/a/.bashrc", "", ""}));
  EXPECT_EQ(FileExternals("/a/Makefile", ""), (Values{"Makefile", "/a/Makefile", "", ""}));
  EXPECT_EQ(FileExternals("upload", ""), (Values{"upload", "upload", "", ""}));
}

TEST(YaraRuleSetTest, CompilesAndPassesWarningsOnWithTheirLine) {
  TempDir dir;
  const fs::path file = dir.Write("slow.yar",
                                  "rule one_byte\n"
                                  "{\n"
                                  "  strings:\n"
                                  "    $a = \"a\"\n"
                                  "  condition:\n"
                                  "    $a\n"
                                  "}\n"
                                  "private rule helper { condition: true }\n");
  std::vector<std::string> warnings;
  const RuleSet rules({file}, [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_EQ(rules.rule_count(), 2u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], file.string() + ":4: string \"$a\" may slow down scanning");
}

TEST(YaraRuleSetTest, AnUnreadableFileIsAnErrorNamingIt) {
  TempDir dir;
  const fs::path file = dir.path() / "gone.yar";
  try {
    const RuleSet rules({file}, {});
    FAIL() << "compiled a file that does not exist";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(e.what()), file.string() + ": cannot open: No such file or directory");
  }
}

TEST(YaraRuleSetTest, SeveralErrorsInAFileAreCountedAfterTheFirst) {
  TempDir dir;
  // libyara goes on after an undefined string, so both are reported.
  const fs::path file = dir.Write("two_errors.yar",
                                  "rule a { condition: $x }\n"
                                  "rule b { condition: $y }\n");
  try {
    const RuleSet rules({file}, {});
    FAIL() << "compiled rules with errors";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ":1: undefined string \"$x\" (and 1 more)");
  }
}

}  // namespace
}  // namespace archivum::bundled::yara
