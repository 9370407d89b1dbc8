// The SDK end to end: `cmake --install --component plugin-api` into a temporary prefix, build
// plugin-api/examples/template out of tree with find_package(ArchivumPluginApi), then load the
// result through PluginRegistry and run the conformance checker on it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/stages.h"
#include "plugins/registry.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace archivum::plugins {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;
using ::testing::ElementsAre;

std::string Quote(const std::string& s) {
  return "'" + s + "'";
}

// Runs a shell command, appending its output to `log`; returns the exit status.
int RunShell(const std::string& command, const fs::path& log) {
  std::string output;
  const int status = archivum::testing::RunProcess({"/bin/sh", "-c", command}, &output);
  std::ofstream(log, std::ios::app) << output;
  return status;
}

std::string ReadLog(const fs::path& log) {
  std::string out;
  if (FILE* f = fopen(log.c_str(), "r")) {
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) out.append(buffer, n);
    fclose(f);
  }
  return out;
}

TEST(PluginSdkTest, TemplateBuildsAgainstInstalledSdkAndLoads) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const fs::path prefix = tmp.path() / "prefix";
  const fs::path build = tmp.path() / "build";
  const fs::path log = tmp.path() / "log.txt";
  const std::string cmake = Quote(ARCHIVUM_CMAKE_COMMAND);

  ASSERT_EQ(RunShell(cmake + " --install " + Quote(ARCHIVUM_BUILD_DIR) +
                         " --component plugin-api --prefix " + Quote(prefix.string()),
                     log),
            0)
      << ReadLog(log);
  EXPECT_TRUE(fs::exists(prefix / "include" / "archivum" / "plugin.h"));
  EXPECT_TRUE(fs::exists(prefix / "include" / "archivum" / "plugin.hpp"));

  // The compiler is passed so that the template matches this build (and its sanitizer runtime
  // is not required: the template is built without sanitizers, which the host tolerates).
  ASSERT_EQ(
      RunShell(cmake + " -S " + Quote(ARCHIVUM_TEMPLATE_DIR) + " -B " + Quote(build.string()) +
                   " -G " + Quote(ARCHIVUM_CMAKE_GENERATOR) +
                   " -DCMAKE_MAKE_PROGRAM=" + Quote(ARCHIVUM_MAKE_PROGRAM) +
                   " -DCMAKE_CXX_COMPILER=" + Quote(ARCHIVUM_CXX_COMPILER) +
                   " -DCMAKE_PREFIX_PATH=" + Quote(prefix.string()) + " -DCMAKE_BUILD_TYPE=Release",
               log),
      0)
      << ReadLog(log);
  ASSERT_EQ(RunShell(cmake + " --build " + Quote(build.string()), log), 0) << ReadLog(log);
  const fs::path plugin = build / "template_plugin.so";
  ASSERT_TRUE(fs::exists(plugin)) << ReadLog(log);

  // Only the entry symbol is exported.
  ASSERT_EQ(RunShell("nm -D --defined-only " + Quote(plugin.string()) + " > " +
                         Quote((tmp.path() / "symbols.txt").string()),
                     log),
            0);
  const std::string symbols = ReadLog(tmp.path() / "symbols.txt");
  EXPECT_NE(symbols.find("archivum_plugin_entry"), std::string::npos) << symbols;
  EXPECT_EQ(symbols.find("TemplatePlugin"), std::string::npos) << symbols;

  PluginRegistry::Options options;
  options.directories = {build};
  options.settings["template"].config_json = R"({"greeting": "bonjour"})";
  auto registry = PluginRegistry::Load(options);
  ASSERT_EQ(registry->loaded_count(), 1u);
  FileInput file;
  file.path = "/docs/a.txt";
  const std::string bytes = "one\ntwo\nthree\n";
  file.bytes = bytes;
  file.size = bytes.size();
  file.mime = "text/plain";
  const pipeline::ProcessResult result = pipeline::Stages(*registry).Process(file);
  EXPECT_EQ(result.errors, 0u);
  EXPECT_THAT(result.analyzers, ElementsAre("template@1.0.0"));
  ASSERT_EQ(result.findings.size(), 2u);
  EXPECT_EQ(result.findings[0].key, "template.lines");
  EXPECT_EQ(result.findings[0].value, "3");
  EXPECT_EQ(result.findings[1].key, "template.greeting");
  EXPECT_EQ(result.findings[1].value, "bonjour");

  EXPECT_EQ(
      RunShell(Quote(ARCHIVUM_CHECKER_PATH) + " --large-size 1048576 " + Quote(plugin.string()),
               log),
      0)
      << ReadLog(log);
}

}  // namespace
}  // namespace archivum::plugins
