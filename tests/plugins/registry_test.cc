// PluginRegistry against the fixture plugins: loading (ABI 1.0 and 1.1 descriptors included) and
// the exact refusal reasons, settings applied at load (config, data directory, enabled, sha256
// pin), Describe, query verbs, Flush, the signature, and the default plugin directory. The stage
// loop that runs the loaded plugins is tested in pipeline/stages_test.cc.
#include "plugins/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "archivum/plugin.h"
#include "common/sha256.h"
#include "pipeline/stages.h"
#include "support/temp_dir.h"
#include "test_util.h"

namespace archivum::plugins {
namespace {

namespace pb = aichemist_archivum;
using archivum::testing::TempDir;
using testing::Describe;
using ::testing::ElementsAre;
using testing::FindByFile;
using testing::FindByName;
using testing::FindingValue;
using testing::FixtureDir;
using ::testing::HasSubstr;
using testing::LoadDirs;
using testing::TextFile;

constexpr std::string_view kText = "hello\nworld\n";

// Runs the stage loop over the registry's plugins.
pipeline::ProcessResult Process(const PluginRegistry& registry, const FileInput& file) {
  return pipeline::Stages(registry).Process(file);
}

// Every case runs with the plugins in process and in worker processes: same plugins, same
// results.
class PluginRegistryTest : public testing::PlacementTest {};
ARCHIVUM_INSTANTIATE_PLACEMENTS(PluginRegistryTest);

TEST_P(PluginRegistryTest, LoadsGoodFixturesAndDescribesThem) {
  auto registry = LoadDirs({FixtureDir("good")});
  EXPECT_EQ(registry->loaded_count(), 3u);
  const auto list = Describe(*registry);
  EXPECT_EQ(list.host_abi_version(), "1.4");
  ASSERT_EQ(list.plugins_size(), 3);

  const pb::PluginInfo* c = FindByName(list, "fixture_c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state(), pb::PluginInfo::LOADED);
  EXPECT_EQ(c->version(), "1.2.3");
  EXPECT_EQ(c->abi_version(), "1.4");
  EXPECT_EQ(c->stage(), "detect");
  EXPECT_THAT(c->accepts(), ElementsAre("*/*"));
  EXPECT_THAT(c->query_verbs(), ElementsAre("echo"));
  EXPECT_TRUE(c->thread_safe());
  EXPECT_EQ(c->description(), "C fixture: detects MIME, echoes queries");
  EXPECT_EQ(std::filesystem::path(c->file()).filename(), "fixture_good_c.so");

  const pb::PluginInfo* cpp = FindByName(list, "fixture_cpp");
  ASSERT_NE(cpp, nullptr);
  EXPECT_EQ(cpp->state(), pb::PluginInfo::LOADED);
  EXPECT_EQ(cpp->stage(), "extract");
  EXPECT_FALSE(cpp->thread_safe());
  EXPECT_THAT(cpp->accepts(), ElementsAre("text/*", "application/x-fixture"));
}

TEST_P(PluginRegistryTest, OldAbiDescriptorStillLoads) {
  // fixture_old's descriptor is the ABI 1.0 layout: shorter than the host's struct.
  auto registry = LoadDirs({FixtureDir("good")});
  const auto list = Describe(*registry);
  const pb::PluginInfo* old = FindByName(list, "fixture_old");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->state(), pb::PluginInfo::LOADED) << old->reason();
  EXPECT_EQ(old->abi_version(), "1.0");
  const pipeline::ProcessResult result = Process(*registry, TextFile(kText));
  EXPECT_EQ(FindingValue(result, "fixture_old", "fixture_old.mime"), "text/plain");
}

TEST_P(PluginRegistryTest, Abi11DescriptorStillLoadsAndIsNotFlushed) {
  // fixture_v11's descriptor is the ABI 1.1 layout: it ends before flush.
  auto registry = LoadDirs({FixtureDir("flush")});
  const auto list = Describe(*registry);
  const pb::PluginInfo* v11 = FindByName(list, "fixture_v11");
  ASSERT_NE(v11, nullptr);
  EXPECT_EQ(v11->state(), pb::PluginInfo::LOADED) << v11->reason();
  EXPECT_EQ(v11->abi_version(), "1.1");
  const pipeline::ProcessResult result = Process(*registry, TextFile(kText));
  EXPECT_EQ(FindingValue(result, "fixture_v11", "fixture_v11.size"), "12");
  EXPECT_TRUE(registry->Flush().ok());
  // Its 1.1 field still applies: files over its max_file_size (64) are not routed to it.
  const pipeline::ProcessResult large = Process(*registry, TextFile(std::string(65, 'x')));
  EXPECT_EQ(FindingValue(large, "fixture_v11", "fixture_v11.size"), "<none>");
}

TEST_P(PluginRegistryTest, Abi12PluginStillHandsOverWholeChildren) {
  // fixture_v12 declares ABI 1.2 and sees only the 1.2 part of the sink (emit_child).
  auto registry = LoadDirs({FixtureDir("children")});
  const auto list = Describe(*registry);
  const pb::PluginInfo* v12 = FindByName(list, "fixture_v12");
  ASSERT_NE(v12, nullptr);
  EXPECT_EQ(v12->state(), pb::PluginInfo::LOADED) << v12->reason();
  EXPECT_EQ(v12->abi_version(), "1.2");
  const pipeline::ProcessResult result = Process(*registry, TextFile("v12 children"));
  ASSERT_EQ(result.children.size(), 2u);
  EXPECT_EQ(result.children[0].child.name, "one.txt");
  EXPECT_EQ(result.children[0].child.bytes, "first child");
  EXPECT_FALSE(result.children[0].child.streamed);
  EXPECT_EQ(result.children[1].child.name, "dir/two.txt");
  EXPECT_EQ(result.children[1].child.bytes, "second child");
}

// The bytes of a streamed child, read back from its spool.
std::string SpooledBytes(const pipeline::ChildDocument& doc) {
  std::string bytes(doc.child.size, '\0');
  if (!doc.spool) return "<no spool>";
  const ssize_t n =
      ::pread(doc.spool->fd(), bytes.data(), bytes.size(), static_cast<off_t>(doc.child.offset));
  if (n != static_cast<ssize_t>(bytes.size())) return "<short read>";
  return bytes;
}

TEST_P(PluginRegistryTest, StreamedChildrenArriveInASpoolWithTheirFindingsAndTags) {
  auto registry = LoadDirs({FixtureDir("children")});
  const pipeline::ProcessResult result =
      Process(*registry, TextFile("STREAM\na.txt 5 ab\nsecret.bin 0 - encrypted\nb/c.txt 3 xyz\n"));
  ASSERT_EQ(result.children.size(), 3u);
  const auto& a = result.children[0];
  EXPECT_EQ(a.plugin, "fixture_streamer");
  EXPECT_EQ(a.child.name, "a.txt");
  EXPECT_TRUE(a.child.streamed);
  EXPECT_EQ(a.child.offset % os::AnonymousFile::kPageSize, 0u);
  EXPECT_EQ(SpooledBytes(a), "ababa");
  EXPECT_THAT(a.child.findings,
              ElementsAre(std::pair<std::string, std::string>("modified", "2024-01-02T03:04:05Z")));
  EXPECT_EQ(result.children[1].child.name, "secret.bin");
  EXPECT_EQ(result.children[1].child.size, 0u);
  EXPECT_THAT(result.children[1].child.tags, ElementsAre("encrypted"));
  EXPECT_EQ(SpooledBytes(result.children[2]), "xyz");
  EXPECT_EQ(FindingValue(result, "fixture_streamer", "streamer.children"), "3");
}

TEST_P(PluginRegistryTest, ChildBudgetRefusesBeyondItsCountAndSize) {
  auto registry = LoadDirs({FixtureDir("children")});
  FileInput file = TextFile("STREAM\nbig.bin 5000 z\nsmall.txt 10 s\nthird.txt 10 t\n");
  file.child_budget.max_children = 2;
  file.child_budget.max_bytes = 100;
  const pipeline::ProcessResult result = Process(*registry, file);
  // big.bin is over the byte budget and dropped while written; small.txt still fits; third.txt
  // would be the third child of a budget of two (the dropped one gave its slot back).
  ASSERT_EQ(result.children.size(), 2u)
      << FindingValue(result, "fixture_streamer", "streamer.dropped");
  EXPECT_EQ(result.children[0].child.name, "small.txt");
  EXPECT_EQ(SpooledBytes(result.children[0]), "ssssssssss");
  EXPECT_EQ(result.children[1].child.name, "third.txt");
  EXPECT_EQ(result.children_refused_size, 1u);
  EXPECT_EQ(FindingValue(result, "fixture_streamer", "streamer.dropped"), "1");

  file.child_budget.allowed = false;
  const pipeline::ProcessResult none = Process(*registry, file);
  EXPECT_TRUE(none.children.empty());
  EXPECT_EQ(none.children_refused_count, 1u);  // the plugin stops at the first refusal
}

TEST_P(PluginRegistryTest, FlushReachesThePluginsThatProvideIt) {
  auto registry = LoadDirs({FixtureDir("flush")});
  const auto list = Describe(*registry);
  const pb::PluginInfo* flush = FindByName(list, "fixture_flush");
  ASSERT_NE(flush, nullptr);
  EXPECT_EQ(flush->abi_version(), "1.4");
  EXPECT_EQ(
      FindingValue(Process(*registry, TextFile(kText)), "fixture_flush", "fixture_flush.flushes"),
      "0");
  ASSERT_TRUE(registry->Flush().ok());
  ASSERT_TRUE(registry->Flush().ok());
  EXPECT_EQ(
      FindingValue(Process(*registry, TextFile(kText)), "fixture_flush", "fixture_flush.flushes"),
      "2");
  // Flushes are not file calls: the call counter counts the two process() calls only.
  const auto after_list = Describe(*registry);
  const pb::PluginInfo* after = FindByName(after_list, "fixture_flush");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->calls(), 2u);
}

TEST_P(PluginRegistryTest, FlushFailureNamesThePlugin) {
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_flush"].config_json = R"({"fail_flush": true})";
  auto registry = LoadDirs({FixtureDir("flush")}, settings);
  const Status st = registry->Flush();
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "plugin fixture_flush: flush failed: flush refused on purpose");
  // A failed flush leaves the plugin working.
  EXPECT_EQ(
      FindingValue(Process(*registry, TextFile(kText)), "fixture_flush", "fixture_flush.flushes"),
      "0");
}

TEST_P(PluginRegistryTest, RefusesBrokenFixturesWithExactReasons) {
  auto registry = LoadDirs({FixtureDir("broken")});
  const auto list = Describe(*registry);
  const std::map<std::string, std::string> expected = {
      {"fixture_no_entry.so", "missing entry symbol archivum_plugin_entry"},
      {"fixture_abi_major.so", "requires ABI 2.0, host provides 1.4"},
      {"fixture_abi_minor.so", "requires ABI 1.5, host provides 1.4"},
      {"fixture_bad_caps.so",
       "inconsistent capabilities: declares query verbs but no query entry point"},
      {"fixture_create_fails.so", "create failed: model file not found"},
  };
  for (const auto& [file, reason] : expected) {
    const pb::PluginInfo* info = FindByFile(list, file);
    ASSERT_NE(info, nullptr) << file;
    EXPECT_EQ(info->state(), pb::PluginInfo::FAILED) << file;
    EXPECT_EQ(info->reason(), reason) << file;
  }
  const pb::PluginInfo* garbage = FindByFile(list, "not_a_library.so");
  ASSERT_NE(garbage, nullptr);
  EXPECT_EQ(garbage->state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(garbage->reason().rfind("cannot load: ", 0), 0u) << garbage->reason();
  EXPECT_THAT(garbage->reason(), HasSubstr("not_a_library.so"));
  // The refused plugins keep what could be read: the version they asked for, their name.
  EXPECT_EQ(FindByFile(list, "fixture_abi_major.so")->abi_version(), "2.0");
  EXPECT_EQ(FindByFile(list, "fixture_create_fails.so")->name(), "broken_create");
  // Those that load but misbehave at run time are contained later, not refused.
  EXPECT_EQ(registry->loaded_count(), 3u);
  for (const char* file :
       {"fixture_process_error.so", "fixture_throws.so", "fixture_throws_raw.so"}) {
    ASSERT_NE(FindByFile(list, file), nullptr) << file;
    EXPECT_EQ(FindByFile(list, file)->state(), pb::PluginInfo::LOADED) << file;
  }
}

TEST_P(PluginRegistryTest, RefusesDuplicateNames) {
  auto registry = LoadDirs({FixtureDir("good"), FixtureDir("duplicate")});
  const auto list = Describe(*registry);
  const pb::PluginInfo* dup = FindByFile(list, "fixture_duplicate.so");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(dup->reason(), "duplicate plugin name 'fixture_c' (already loaded from " +
                               (FixtureDir("good") / "fixture_good_c.so").string() + ")");
  EXPECT_EQ(registry->loaded_count(), 3u);
}

TEST_P(PluginRegistryTest, MissingDirectoryIsNotFatal) {
  auto registry = LoadDirs({FixtureDir("no-such-dir")});
  EXPECT_EQ(registry->loaded_count(), 0u);
  EXPECT_EQ(Describe(*registry).plugins_size(), 0);
}

TEST_P(PluginRegistryTest, PassesConfigAndDataDirectory) {
  TempDir store;
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_c"].config_json = R"({"threshold":3})";
  auto registry = LoadDirs({FixtureDir("good")}, settings, store.path() / "plugins");
  const pipeline::ProcessResult result = Process(*registry, TextFile(kText));
  EXPECT_EQ(FindingValue(result, "fixture_c", "fixture_c.config"), R"({"threshold":3})");
  const std::filesystem::path data_dir = store.path() / "plugins" / "fixture_c";
  EXPECT_EQ(FindingValue(result, "fixture_c", "fixture_c.data_dir"), data_dir.string());
  EXPECT_TRUE(std::filesystem::is_directory(data_dir));
}

TEST_P(PluginRegistryTest, DisabledPluginIsListedButNotRun) {
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_cpp"].enabled = false;
  auto registry = LoadDirs({FixtureDir("good")}, settings);
  EXPECT_EQ(registry->loaded_count(), 2u);
  const auto list = Describe(*registry);
  const pb::PluginInfo* cpp = FindByName(list, "fixture_cpp");
  ASSERT_NE(cpp, nullptr);
  EXPECT_EQ(cpp->state(), pb::PluginInfo::DISABLED);
  EXPECT_EQ(cpp->reason(), "disabled by configuration");
  EXPECT_THAT(Process(*registry, TextFile(kText)).analyzers,
              ElementsAre("fixture_c@1.2.3", "fixture_old@0.9"));
}

TEST_P(PluginRegistryTest, CreateFailureFromConfigIsReported) {
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_cpp"].config_json = R"({"fail_create": true})";
  auto registry = LoadDirs({FixtureDir("good")}, settings);
  const auto list = Describe(*registry);
  const pb::PluginInfo* cpp = FindByName(list, "fixture_cpp");
  ASSERT_NE(cpp, nullptr);
  EXPECT_EQ(cpp->state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(cpp->reason(), "create failed: fail_create requested");
}

TEST_P(PluginRegistryTest, Sha256Pin) {
  const std::filesystem::path file = FixtureDir("good") / "fixture_old_abi.so";
  const auto digest = FileSha256Hex(file);
  ASSERT_TRUE(digest.ok());
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_old"].sha256 = "0000";
  auto registry = LoadDirs({FixtureDir("good")}, settings);
  const auto list = Describe(*registry);
  const pb::PluginInfo* old = FindByFile(list, "fixture_old_abi.so");
  ASSERT_NE(old, nullptr) << list.DebugString();
  EXPECT_EQ(old->state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(old->reason(), "sha256 mismatch: configured 0000, file has " + *digest);

  settings["fixture_old"].sha256 = *digest;
  registry = LoadDirs({FixtureDir("good")}, settings);
  EXPECT_EQ(registry->loaded_count(), 3u) << Describe(*registry).DebugString();
}

TEST_P(PluginRegistryTest, DispatchesQueryVerbs) {
  auto registry = LoadDirs({FixtureDir("good"), FixtureDir("broken")});
  EXPECT_THAT(registry->QueryVerbs(), ElementsAre("echo", "explode"));

  auto hits = registry->Query("echo", "/docs/a.txt");
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].plugin, "fixture_c");
  EXPECT_EQ((*hits)[0].path, "/docs/a.txt");
  EXPECT_EQ((*hits)[0].score, 1.0);
  EXPECT_EQ((*hits)[0].detail, "echo from fixture_c");

  auto unknown = registry->Query("similar", "/docs/a.txt");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no plugin registers the query verb 'similar'");

  auto invalid = registry->Query("echo", "");
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid.status().message(), "plugin fixture_c: echo needs a non-empty argument");

  auto thrown = registry->Query("explode", "x");
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
  EXPECT_EQ(thrown.status().message(), "plugin broken_throws: unknown exception");
}

// The signature is computed by the host from what each placement reports (descriptors, tuning
// keys) and the configuration: its rules are checked in process, where a load is cheap, and
// SignatureIsTheSameInBothPlacements checks that a worker reports the same inputs.
TEST(PluginRegistrySignatureTest, TracksPluginsAndConfig) {
  const std::string base = LoadDirs({FixtureDir("good")})->Signature();
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(LoadDirs({FixtureDir("good")})->Signature(), base);

  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_c"].config_json = R"({"threshold":3})";
  EXPECT_NE(LoadDirs({FixtureDir("good")}, settings)->Signature(), base);
  settings.clear();
  settings["fixture_cpp"].enabled = false;
  EXPECT_NE(LoadDirs({FixtureDir("good")}, settings)->Signature(), base);
  EXPECT_NE(LoadDirs({FixtureDir("good"), FixtureDir("slow")})->Signature(), base);
  // Failed plugins do not count: they do not analyze anything.
  EXPECT_EQ(LoadDirs({FixtureDir("good"), FixtureDir("duplicate")})->Signature(), base);
}

// fixture_flush declares "cache" a tuning key (ABI 1.2): its value never changes results.
std::string FlushSignature(const std::string& config_json) {
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_flush"].config_json = config_json;
  return LoadDirs({FixtureDir("flush")}, settings)->Signature();
}

TEST(PluginRegistrySignatureTest, LeavesOutTuningKeys) {
  const std::string base = FlushSignature(R"({"cache":1,"mode":"a"})");
  EXPECT_EQ(FlushSignature(R"({"mode":"a","cache":4096})"), base);
  EXPECT_EQ(FlushSignature(R"({"mode":"a"})"), base);
  EXPECT_NE(FlushSignature(R"({"cache":1,"mode":"b"})"), base);
  // Only top-level keys: a nested "cache" is an ordinary setting.
  EXPECT_NE(FlushSignature(R"({"mode":"a","nested":{"cache":1}})"),
            FlushSignature(R"({"mode":"a","nested":{"cache":2}})"));
  const auto list = Describe(*LoadDirs({FixtureDir("flush")}));
  const pb::PluginInfo* flush = FindByName(list, "fixture_flush");
  ASSERT_NE(flush, nullptr);
  EXPECT_EQ(flush->state(), pb::PluginInfo::LOADED) << flush->reason();
}

TEST_P(PluginRegistryTest, SignatureIsTheSameInBothPlacements) {
  // Two plugin groups, settings, and a tuning key whose value differs: equal only if this
  // placement reports the same descriptors and tuning keys as the in-process one.
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_c"].config_json = R"({"threshold":3})";
  const std::string here =
      LoadDirs({FixtureDir("good"), FixtureDir("slow")}, settings)->Signature();
  EXPECT_EQ(FlushSignature(R"({"cache":1,"mode":"a"})"), FlushSignature(R"({"mode":"a"})"));
  const std::string flush_here = FlushSignature(R"({"cache":7,"mode":"a"})");
  testing::CurrentPlacementMode() = testing::PlacementMode::kInProcess;
  EXPECT_EQ(LoadDirs({FixtureDir("good"), FixtureDir("slow")}, settings)->Signature(), here);
  EXPECT_EQ(FlushSignature(R"({"mode":"a","cache":9})"), flush_here);
}

TEST_P(PluginRegistryTest, Abi13PluginLoadsWithItsShorterDescriptorAndSink) {
  // fixture_v13's descriptor ends before the 1.4 fields (where it keeps garbage the host must
  // not read) and it reads only the 1.3 sink.
  auto registry = LoadDirs({FixtureDir("abi14")});
  const auto list = Describe(*registry);
  const pb::PluginInfo* v13 = FindByName(list, "fixture_v13");
  ASSERT_NE(v13, nullptr);
  EXPECT_EQ(v13->state(), pb::PluginInfo::LOADED) << v13->reason();
  EXPECT_EQ(v13->abi_version(), "1.3");
  const pipeline::ProcessResult result = Process(*registry, TextFile("v13 stream"));
  EXPECT_EQ(result.text, "v13 text");
  EXPECT_TRUE(result.text_parts.empty());
  EXPECT_FALSE(result.preview.has_value());
  ASSERT_EQ(result.children.size(), 1u);
  EXPECT_EQ(result.children[0].child.name, "streamed.txt");
  EXPECT_EQ(result.children[0].child.size, 14u);
}

TEST_P(PluginRegistryTest, PreviewAndMarkedTextReachTheResult) {
  auto registry = LoadDirs({FixtureDir("abi14")});
  const pipeline::ProcessResult result = Process(*registry, TextFile("preview png"));
  EXPECT_EQ(result.text, "plain words recognized words");
  ASSERT_EQ(result.text_parts.size(), 1u);
  EXPECT_EQ(result.text_parts[0].plugin, "fixture_preview");
  EXPECT_EQ(result.text_parts[0].kind, "ocr");
  EXPECT_EQ(result.text.substr(result.text_parts[0].offset, result.text_parts[0].size),
            "recognized words");
  ASSERT_TRUE(result.preview.has_value());
  EXPECT_EQ(result.preview->plugin, "fixture_preview");
  EXPECT_EQ(result.preview->mime, "image/png");
  EXPECT_EQ(result.preview->bytes.size(), 24u);
  EXPECT_TRUE(result.preview->bytes.starts_with("\x89PNG"));

  // A second preview in the same call replaces the first.
  const pipeline::ProcessResult twice = Process(*registry, TextFile("preview twice"));
  ASSERT_TRUE(twice.preview.has_value());
  EXPECT_EQ(twice.preview->mime, "image/png");
}

TEST_P(PluginRegistryTest, PreviewsThatAreNotImagesOfTheirTypeAreRefused) {
  auto registry = LoadDirs({FixtureDir("abi14")});
  const pipeline::ProcessResult result = Process(*registry, TextFile("preview html"));
  EXPECT_EQ(FindingValue(result, "fixture_preview", "rc"),
            std::to_string(ARCHIVUM_INVALID_ARGUMENT));
  EXPECT_EQ(FindingValue(result, "fixture_preview", "rc_svg"),
            std::to_string(ARCHIVUM_INVALID_ARGUMENT));
  EXPECT_EQ(FindingValue(result, "fixture_preview", "rc_big"),
            std::to_string(ARCHIVUM_RESOURCE_EXHAUSTED));
  EXPECT_EQ(FindingValue(result, "fixture_preview", "rc_kind"),
            std::to_string(ARCHIVUM_INVALID_ARGUMENT));
  EXPECT_FALSE(result.preview.has_value());
  EXPECT_TRUE(result.text.empty());
}

TEST_P(PluginRegistryTest, OptInPluginIsOffUntilEnabled) {
  {
    auto registry = LoadDirs({FixtureDir("abi14")});
    const auto list = Describe(*registry);
    const pb::PluginInfo* optin = FindByName(list, "fixture_optin");
    ASSERT_NE(optin, nullptr);
    EXPECT_EQ(optin->state(), pb::PluginInfo::DISABLED);
    EXPECT_THAT(optin->reason(), HasSubstr("plugins.settings.fixture_optin.enabled: true"));
    EXPECT_EQ(FindingValue(Process(*registry, TextFile("x")), "fixture_optin", "optin"), "<none>");
  }
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_optin"].enabled = true;
  auto registry = LoadDirs({FixtureDir("abi14")}, settings);
  const auto list = Describe(*registry);
  const pb::PluginInfo* optin = FindByName(list, "fixture_optin");
  ASSERT_NE(optin, nullptr);
  EXPECT_EQ(optin->state(), pb::PluginInfo::LOADED) << optin->reason();
  EXPECT_EQ(FindingValue(Process(*registry, TextFile("x")), "fixture_optin", "optin"), "ran");
}

TEST_P(PluginRegistryTest, PathKeysResolveAgainstTheConfigDirectoryAndAreReadable) {
  // The file lies outside every path a worker's sandbox allows by default (a temporary
  // directory): only the path key grant makes it readable there.
  TempDir dir;
  dir.Write("rules/words.txt", "first line\nsecond line\n");
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_paths"].config_json = R"({"file":"rules/words.txt","other":"x.txt"})";
  settings["fixture_paths"].config_dir = dir.path();
  auto registry = LoadDirs({FixtureDir("paths")}, settings);
  const auto list = Describe(*registry);
  const pb::PluginInfo* paths = FindByName(list, "fixture_paths");
  ASSERT_NE(paths, nullptr);
  ASSERT_EQ(paths->state(), pb::PluginInfo::LOADED) << paths->reason();
  const pipeline::ProcessResult result = Process(*registry, TextFile("x"));
  EXPECT_EQ(FindingValue(result, "fixture_paths", "content"), "first line");
  EXPECT_EQ(FindingValue(result, "fixture_paths", "path"),
            (dir.path() / "rules/words.txt").string());
}

TEST_P(PluginRegistryTest, PathKeyFilesThatChangeChangeTheSignature) {
  TempDir dir;
  const auto file = dir.Write("words.txt", "one\n");
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_paths"].config_json = R"({"file":"words.txt"})";
  settings["fixture_paths"].config_dir = dir.path();
  const std::string before = LoadDirs({FixtureDir("paths")}, settings)->Signature();
  EXPECT_EQ(LoadDirs({FixtureDir("paths")}, settings)->Signature(), before);
  dir.Write("words.txt", "one two\n");  // another size
  EXPECT_NE(LoadDirs({FixtureDir("paths")}, settings)->Signature(), before);
}

TEST_P(PluginRegistryTest, PathKeyFileThatCannotBeReadFailsTheLoad) {
  TempDir dir;
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_paths"].config_json = R"({"file":"missing.txt"})";
  settings["fixture_paths"].config_dir = dir.path();
  const auto list = Describe(*LoadDirs({FixtureDir("paths")}, settings));
  const pb::PluginInfo* paths = FindByName(list, "fixture_paths");
  ASSERT_NE(paths, nullptr);
  EXPECT_EQ(paths->state(), pb::PluginInfo::FAILED);
  EXPECT_THAT(paths->reason(), HasSubstr("cannot read " + (dir.path() / "missing.txt").string()));
}

TEST(PluginRegistryDefaultsTest, DefaultDirectoryIsRelativeToTheExecutable) {
  const auto dirs = DefaultPluginDirectories();
  ASSERT_EQ(dirs.size(), 1u);
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(dirs[0],
            (exe.parent_path().parent_path() / "lib" / "archivum" / "plugins").lexically_normal());
}

}  // namespace
}  // namespace archivum::plugins
