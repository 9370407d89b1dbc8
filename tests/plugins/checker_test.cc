// archivum-plugin-check run as a process on the fixtures: exit codes and report lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "support/process.h"
#include "test_util.h"

namespace archivum::plugins {
namespace {

using testing::FixtureDir;
using ::testing::HasSubstr;
using ::testing::Not;

struct CheckerRun {
  int exit_code = -1;
  std::string output;
};

// Runs the checker with `args` (already shell-quoted), capturing stdout and stderr.
CheckerRun RunChecker(const std::string& args) {
  CheckerRun run;
  run.exit_code = archivum::testing::RunProcess(
      {"/bin/sh", "-c", std::string(ARCHIVUM_CHECKER_PATH) + " --large-size 1048576 " + args},
      &run.output);
  return run;
}

std::string Fixture(std::string_view group, std::string_view file) {
  // Appended rather than `"'" + path + "'"`: GCC 12 at -O3 reports a false -Wrestrict for
  // inserting a literal before a temporary string.
  std::string quoted = "'";
  quoted.append((FixtureDir(group) / file).string()).append("'");
  return quoted;
}

TEST(PluginCheckerTest, PassesGoodPlugins) {
  CheckerRun c = RunChecker(Fixture("good", "fixture_good_c.so") + " --config '{\"x\":1}'");
  EXPECT_EQ(c.exit_code, 0) << c.output;
  EXPECT_THAT(c.output, HasSubstr("[PASS] entry symbol archivum_plugin_entry"));
  EXPECT_THAT(c.output, HasSubstr("[PASS] ABI version: requires 1.4, host provides 1.4"));
  EXPECT_THAT(c.output, HasSubstr("[PASS] create with config {\"x\":1}"));
  EXPECT_THAT(c.output, HasSubstr("[PASS] process invalid UTF-8"));
  EXPECT_THAT(c.output, HasSubstr("[PASS] concurrent process (4 threads x 16 calls)"));
  EXPECT_THAT(c.output, HasSubstr("[PASS] query echo:/archivum-check/no-such-file"));
  EXPECT_THAT(c.output, HasSubstr("RESULT: PASS"));

  CheckerRun cpp = RunChecker(Fixture("good", "fixture_good_cpp.so"));
  EXPECT_EQ(cpp.exit_code, 0) << cpp.output;
  EXPECT_THAT(cpp.output, HasSubstr("[SKIP] concurrent process"));
  // Its text emit of the invalid UTF-8 sample is refused by the host: a warning, not a failure.
  EXPECT_THAT(cpp.output, HasSubstr("[WARN] process invalid UTF-8"));

  CheckerRun old = RunChecker(Fixture("good", "fixture_old_abi.so"));
  EXPECT_EQ(old.exit_code, 0) << old.output;
  EXPECT_THAT(old.output, HasSubstr("[PASS] ABI version: requires 1.0, host provides 1.4"));
}

TEST(PluginCheckerTest, ChecksFlushWhenThePluginProvidesIt) {
  CheckerRun ok = RunChecker(Fixture("flush", "fixture_flush.so"));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_THAT(ok.output, HasSubstr("max file size 0, tuning keys cache\n"));
  EXPECT_THAT(ok.output, HasSubstr("[PASS] capabilities: process, flush;"));
  EXPECT_THAT(ok.output, HasSubstr("[PASS] flush"));

  CheckerRun failing =
      RunChecker(Fixture("flush", "fixture_flush.so") + " --config '{\"fail_flush\": true}'");
  EXPECT_EQ(failing.exit_code, 1) << failing.output;
  EXPECT_THAT(failing.output, HasSubstr("[FAIL] flush: flush refused on purpose"));

  CheckerRun v11 = RunChecker(Fixture("flush", "fixture_abi_1_1.so"));
  EXPECT_EQ(v11.exit_code, 0) << v11.output;
  EXPECT_THAT(v11.output, HasSubstr("[PASS] ABI version: requires 1.1, host provides 1.4"));
  EXPECT_THAT(v11.output, Not(HasSubstr("] flush")));
  EXPECT_THAT(v11.output, HasSubstr("[PASS] capabilities: process;"));
}

TEST(PluginCheckerTest, FailsBrokenPluginsWithTheReason) {
  const std::map<std::string, std::string> expected = {
      {"fixture_no_entry.so",
       "[FAIL] entry symbol archivum_plugin_entry: missing entry symbol archivum_plugin_entry"},
      {"fixture_abi_major.so", "[FAIL] ABI version: requires ABI 2.0, host provides 1.4"},
      {"fixture_abi_minor.so", "[FAIL] ABI version: requires ABI 1.5, host provides 1.4"},
      {"fixture_bad_caps.so",
       "[FAIL] capabilities: inconsistent capabilities: declares query verbs but no query entry "
       "point"},
      {"fixture_create_fails.so",
       "[FAIL] create with config {}: create failed: model file not found"},
      {"fixture_process_error.so", "[FAIL] process empty file: returned error: corrupt input"},
      {"fixture_throws.so", "[FAIL] process text: returned error: boom from Process"},
      {"not_a_library.so", "[FAIL] load library (RTLD_NOW | RTLD_LOCAL): cannot load: "},
  };
  for (const auto& [file, line] : expected) {
    CheckerRun run = RunChecker(Fixture("broken", file));
    EXPECT_EQ(run.exit_code, 1) << file << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(line)) << file;
    EXPECT_THAT(run.output, HasSubstr("RESULT: FAIL")) << file;
  }
  CheckerRun thrower = RunChecker(Fixture("broken", "fixture_throws.so"));
  EXPECT_THAT(
      thrower.output,
      HasSubstr(
          "[FAIL] query explode:/archivum-check/no-such-file: returned error: unknown exception"))
      << thrower.output;
}

TEST(PluginCheckerTest, PassesConfigToCreate) {
  CheckerRun run =
      RunChecker(Fixture("good", "fixture_good_cpp.so") + " --config '{\"fail_create\": true}'");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("create failed: fail_create requested"));
}

TEST(PluginCheckerTest, FailsPluginThatIgnoresItsDeadline) {
  CheckerRun run = RunChecker(Fixture("slow", "fixture_slow.so") + " --timeout-ms 20");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("[FAIL] process empty file: still running after 20ms"));
}

TEST(PluginCheckerTest, RejectsUsageErrors) {
  EXPECT_EQ(RunChecker(Fixture("good", "fixture_good_c.so") + " --config 'not json'").exit_code, 2);
  EXPECT_EQ(RunChecker("").exit_code, 2);
}

}  // namespace
}  // namespace archivum::plugins
