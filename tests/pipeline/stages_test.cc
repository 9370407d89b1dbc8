// pipeline::Stages::Process over the fixture plugins: detect, extract and analyze in order, child
// documents, routing by MIME type and by the settings' accept/reject and size limits, failing
// plugins contained (their output discarded, an "error" finding recorded, the others run), the
// per-plugin call and error counters, serialization of plugins that are not thread-safe,
// timeouts, deadlines and cancellation, and the AnalyzerList the loop fills.
#include "pipeline/stages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "plugins/test_util.h"

namespace archivum::pipeline {
namespace {

namespace pb = ::aichemist_archivum;
using plugins::FileInput;
using plugins::Plugin;
using plugins::testing::Describe;
using plugins::testing::FindByName;
using plugins::testing::FindingValue;
using plugins::testing::FixtureDir;
using plugins::testing::LoadDirs;
using plugins::testing::TextFile;
using ::testing::ElementsAre;

constexpr std::string_view kText = "hello\nworld\n";

// Runs the stage loop over the registry's plugins.
ProcessResult Process(const plugins::PluginRegistry& registry, const FileInput& file) {
  return Stages(registry).Process(file);
}

TEST(StagesTest, RunsDetectExtractAnalyzeInOrder) {
  auto registry = LoadDirs({FixtureDir("good")});
  const pipeline::ProcessResult result = Process(*registry, TextFile(kText));
  EXPECT_EQ(result.errors, 0u);
  EXPECT_EQ(result.mime, "text/plain");  // set by the detect plugin
  EXPECT_EQ(result.text, kText);         // emitted by the extract plugin
  EXPECT_THAT(result.analyzers,
              ElementsAre("fixture_c@1.2.3", "fixture_cpp@2.0.0", "fixture_old@0.9"));
  EXPECT_EQ(FindingValue(result, "fixture_c", "fixture_c.size"), "12");
  EXPECT_EQ(FindingValue(result, "fixture_cpp", "fixture_cpp.lines"), "2");
  // The analyze plugin saw the MIME from detect and the text from extract.
  EXPECT_EQ(FindingValue(result, "fixture_old", "fixture_old.mime"), "text/plain");
  EXPECT_EQ(FindingValue(result, "fixture_old", "fixture_old.text_size"), "12");
  EXPECT_THAT(result.tags, ElementsAre("seen-by-c", "seen-by-cpp"));
  EXPECT_TRUE(result.children.empty());
}

TEST(StagesTest, EmitsChildDocuments) {
  auto registry = LoadDirs({FixtureDir("good")});
  const pipeline::ProcessResult result =
      Process(*registry, TextFile("%FIX\na.txt=alpha\nb.txt=beta\n"));
  EXPECT_EQ(result.mime, "application/x-fixture");
  ASSERT_EQ(result.children.size(), 2u);
  EXPECT_EQ(result.children[0].plugin, "fixture_cpp");
  EXPECT_EQ(result.children[0].child.name, "a.txt");
  EXPECT_EQ(result.children[0].child.bytes, "alpha");
  EXPECT_EQ(result.children[1].child.name, "b.txt");
  EXPECT_EQ(result.children[1].child.bytes, "beta");
}

TEST(StagesTest, RoutesByMime) {
  auto registry = LoadDirs({FixtureDir("good")});
  const std::string binary("\x00\x01\x02\xff", 4);
  const pipeline::ProcessResult result = Process(*registry, TextFile(binary));
  EXPECT_EQ(result.mime, "application/octet-stream");
  // fixture_cpp accepts only text/* and application/x-fixture.
  EXPECT_THAT(result.analyzers, ElementsAre("fixture_c@1.2.3", "fixture_old@0.9"));
}

TEST(StagesTest, HonorsPluginMaxFileSize) {
  // fixture_cpp declares (ABI 1.1) max_file_size 1 MiB.
  auto registry = LoadDirs({FixtureDir("good")});
  const std::string big((1 << 20) + 1, 'a');
  const pipeline::ProcessResult result = Process(*registry, TextFile(big));
  EXPECT_THAT(result.analyzers, ElementsAre("fixture_c@1.2.3", "fixture_old@0.9"));
}

TEST(StagesTest, SettingsOverrideRoutingAndLimits) {
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_cpp"].accept = {"application/octet-stream"};
  settings["fixture_old"].reject = {"text/*"};
  auto registry = LoadDirs({FixtureDir("good")}, settings);
  EXPECT_THAT(Process(*registry, TextFile(std::string("\x01\x02", 2))).analyzers,
              ElementsAre("fixture_c@1.2.3", "fixture_cpp@2.0.0", "fixture_old@0.9"));
  EXPECT_THAT(Process(*registry, TextFile(kText)).analyzers, ElementsAre("fixture_c@1.2.3"));
  const auto list = Describe(*registry);
  EXPECT_THAT(FindByName(list, "fixture_cpp")->accepts(), ElementsAre("application/octet-stream"));

  settings.clear();
  settings["fixture_old"].max_file_size = 4;
  registry = LoadDirs({FixtureDir("good")}, settings);
  EXPECT_THAT(Process(*registry, TextFile(kText)).analyzers,
              ElementsAre("fixture_c@1.2.3", "fixture_cpp@2.0.0"));
}

TEST(StagesTest, ContainsFailingPlugins) {
  auto registry = LoadDirs({FixtureDir("good"), FixtureDir("broken")});
  const pipeline::ProcessResult result = Process(*registry, TextFile(kText));
  EXPECT_EQ(result.errors, 3u);
  EXPECT_EQ(FindingValue(result, "broken_process", "error"), "process failed: corrupt input");
  EXPECT_EQ(FindingValue(result, "broken_throws", "error"), "process failed: boom from Process");
  EXPECT_EQ(FindingValue(result, "broken_throws_raw", "error"),
            "process failed: exception escaped the plugin: raw exception");
  // Output emitted before a failure is discarded.
  EXPECT_EQ(FindingValue(result, "broken_process", "seen"), "<none>");
  EXPECT_EQ(FindingValue(result, "broken_throws", "discarded"), "<none>");
  // The good plugins ran regardless.
  EXPECT_EQ(FindingValue(result, "fixture_old", "fixture_old.text_size"), "12");

  const auto list = Describe(*registry);
  const pb::PluginInfo* failing = FindByName(list, "broken_process");
  ASSERT_NE(failing, nullptr);
  EXPECT_EQ(failing->calls(), 1u);
  EXPECT_EQ(failing->errors(), 1u);
}

TEST(StagesTest, CountsCalls) {
  auto registry = LoadDirs({FixtureDir("good")});
  for (int i = 0; i < 3; ++i) Process(*registry, TextFile(kText));
  Process(*registry, TextFile(std::string("\x01", 1)));  // not routed to fixture_cpp
  const auto list = Describe(*registry);
  EXPECT_EQ(FindByName(list, "fixture_c")->calls(), 4u);
  EXPECT_EQ(FindByName(list, "fixture_c")->errors(), 0u);
  EXPECT_EQ(FindByName(list, "fixture_cpp")->calls(), 3u);
}

TEST(StagesTest, SerializesPluginsThatAreNotThreadSafe) {
  // fixture_cpp fails any call that overlaps another one on its state.
  auto registry = LoadDirs({FixtureDir("good")});
  constexpr int kThreads = 8;
  constexpr int kCalls = 50;
  std::atomic<uint32_t> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) errors += Process(*registry, TextFile(kText)).errors;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0u);
  const auto list = Describe(*registry);
  EXPECT_EQ(FindByName(list, "fixture_cpp")->calls(), uint64_t{kThreads * kCalls});
  EXPECT_EQ(FindByName(list, "fixture_cpp")->errors(), 0u);
}

TEST(StagesTest, CountsEveryCallOnceTimeIsSampled) {
  // Past Plugin::kExactlyTimedCalls calls only a sample is timed; the counts stay exact,
  // for a thread-safe plugin (fixture_c, atomic counter) and a serialized one (fixture_cpp).
  auto registry = LoadDirs({FixtureDir("good")});
  constexpr int kThreads = 4;
  constexpr int kCalls = 600;
  static_assert(kThreads * kCalls > Plugin::kExactlyTimedCalls + 1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) Process(*registry, TextFile(kText));
    });
  }
  for (auto& thread : threads) thread.join();
  const auto list = Describe(*registry);
  for (const char* name : {"fixture_c", "fixture_cpp"}) {
    const pb::PluginInfo* info = FindByName(list, name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->calls(), uint64_t{kThreads * kCalls}) << name;
    EXPECT_EQ(info->errors(), 0u) << name;
    EXPECT_GT(info->total_time_us(), 0u) << name;  // recorded at all, not how fast
  }
}

TEST(AnalyzerListTest, KeepsOrderInlineAndPastItsInlineCapacity) {
  const std::vector<std::string> ids = {"a@1", "b@1", "c@1", "d@1", "e@1",
                                        "f@1", "g@1", "h@1", "i@1", "j@1"};
  pipeline::AnalyzerList list;
  EXPECT_TRUE(list.empty());
  for (const std::string& id : ids) list.push_back(id);
  EXPECT_EQ(list.size(), ids.size());
  EXPECT_THAT(list,
              ElementsAre("a@1", "b@1", "c@1", "d@1", "e@1", "f@1", "g@1", "h@1", "i@1", "j@1"));
  const pipeline::AnalyzerList copy = list;
  EXPECT_EQ(copy[9], "j@1");
  pipeline::AnalyzerList small;
  small.push_back(ids[0]);
  const pipeline::AnalyzerList small_copy = small;
  EXPECT_THAT(small_copy, ElementsAre("a@1"));
}

TEST(StagesTest, RecordsTimeoutOfPluginThatOverrunsItsDeadline) {
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_slow"].timeout = std::chrono::milliseconds(1);
  auto registry = LoadDirs({FixtureDir("slow")}, settings);
  const pipeline::ProcessResult result = Process(*registry, TextFile(kText));
  EXPECT_EQ(result.errors, 1u);
  EXPECT_EQ(FindingValue(result, "fixture_slow", "error"), "timeout: still running after 1ms");
  EXPECT_EQ(FindingValue(result, "fixture_slow", "seen"), "<none>");
  EXPECT_EQ(FindByName(Describe(*registry), "fixture_slow")->errors(), 1u);
}

TEST(StagesTest, StopsAtAPassedDeadline) {
  auto registry = LoadDirs({FixtureDir("good")});
  FileInput file = TextFile(kText);
  file.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  const pipeline::ProcessResult result = Process(*registry, file);
  EXPECT_TRUE(result.deadline_exceeded);
  EXPECT_TRUE(result.analyzers.empty());
}

TEST(StagesTest, StopsWhenCancelled) {
  auto registry = LoadDirs({FixtureDir("good")});
  FileInput file = TextFile(kText);
  file.cancelled = [] { return true; };
  const pipeline::ProcessResult before = Process(*registry, file);
  EXPECT_TRUE(before.cancelled);
  EXPECT_TRUE(before.analyzers.empty());

  // Cancelled while the plugin runs: the host's pre-check passes, the plugin's poll does not.
  auto slow = LoadDirs({FixtureDir("slow")});
  std::atomic<int> polls{0};
  file.cancelled = [&] { return polls.fetch_add(1) > 0; };
  const pipeline::ProcessResult during = Process(*slow, file);
  EXPECT_TRUE(during.cancelled);
  EXPECT_EQ(during.errors, 0u);
  EXPECT_THAT(during.analyzers, ElementsAre("fixture_slow@1.0"));
}

}  // namespace
}  // namespace archivum::pipeline
