// Each built plugin module through the C ABI, as the host uses it: dlopen, the entry symbol,
// create() with a config, process() into a sink, query(), last_error() and destroy().
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"

namespace archivum::bundled {
namespace {

using namespace std::string_literals;
using testing::LoadedModule;
using testing::RecordingQuerySink;
using testing::RecordingSink;
using testing::TestFile;

// Rows of the similar plugin's signature table, read through a connection of our own; -1 if the
// database cannot be read.
int CountRows(const std::string& file) {
  sqlite3* db = nullptr;
  int count = -1;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM signatures", -1, &stmt, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      count = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

std::unique_ptr<LoadedModule> Load(const char* path, std::string_view config = "{}") {
  auto plugin = std::make_unique<LoadedModule>(path);
  EXPECT_TRUE(plugin->loaded()) << path << ": " << plugin->error();
  if (plugin->loaded()) {
    EXPECT_EQ(plugin->Create(config), ARCHIVUM_OK) << plugin->error();
  }
  return plugin;
}

TEST(BundledAbiTest, DescriptorsDeclareStageAndThreadSafety) {
  struct Expected {
    const char* path;
    const char* name;
    archivum_stage stage;
    bool has_query;
    bool has_flush;           // keeps state of its own (ABI 1.2)
    const char* tuning_keys;  // comma-separated
  };
  for (const Expected& e :
       {Expected{ARCHIVUM_FILETYPE_PLUGIN, "filetype", ARCHIVUM_STAGE_DETECT, false, false,
                 "cache"},
        Expected{ARCHIVUM_TEXT_PLUGIN, "text", ARCHIVUM_STAGE_EXTRACT, false, false, ""},
        Expected{ARCHIVUM_HASH_PLUGIN, "hash", ARCHIVUM_STAGE_ANALYZE, false, false, ""},
        Expected{ARCHIVUM_SIMILAR_PLUGIN, "similar", ARCHIVUM_STAGE_ANALYZE, true, true, ""}}) {
    LoadedModule plugin(e.path);
    ASSERT_TRUE(plugin.loaded()) << plugin.error();
    const archivum_plugin_descriptor& d = plugin.descriptor();
    EXPECT_EQ(testing::AbiString(d.name), e.name);
    EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
    EXPECT_EQ(d.stage, e.stage) << e.name;
    EXPECT_EQ(d.flags & ARCHIVUM_FLAG_THREAD_SAFE, ARCHIVUM_FLAG_THREAD_SAFE) << e.name;
    EXPECT_EQ(d.query != nullptr, e.has_query) << e.name;
    EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR) << e.name;
    EXPECT_EQ(d.struct_size, sizeof(archivum_plugin_descriptor)) << e.name;
    EXPECT_EQ(d.flush != nullptr, e.has_flush) << e.name;
    std::string keys;
    for (size_t i = 0; i < d.tuning_key_count; ++i) {
      keys += (i == 0 ? "" : ",") + testing::AbiString(d.tuning_keys[i]);
    }
    EXPECT_EQ(keys, e.tuning_keys) << e.name;
  }
}

TEST(BundledAbiTest, BadConfigFailsCreateWithAReason) {
  for (const auto& [path, config] : {std::pair{ARCHIVUM_FILETYPE_PLUGIN, R"({"bytes": 0})"},
                                     std::pair{ARCHIVUM_TEXT_PLUGIN, R"({"max_text": "lots"})"},
                                     std::pair{ARCHIVUM_HASH_PLUGIN, R"({"algorithm": "md5"})"},
                                     std::pair{ARCHIVUM_SIMILAR_PLUGIN, R"({"threshold": 2})"}}) {
    LoadedModule plugin(path);
    ASSERT_TRUE(plugin.loaded()) << plugin.error();
    EXPECT_EQ(plugin.Create(config), ARCHIVUM_INVALID_ARGUMENT) << path;
    EXPECT_NE(plugin.error().find("config"), std::string::npos) << plugin.error();
  }
}

TEST(BundledAbiTest, FiletypeSetsMimeAndFindings) {
  auto plugin = Load(ARCHIVUM_FILETYPE_PLUGIN);
  const std::string pdf = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
  TestFile file("/docs/a.pdf", pdf);
  RecordingSink sink;
  ASSERT_EQ(plugin->Process(file, sink), ARCHIVUM_OK) << plugin->error();
  EXPECT_EQ(sink.mime, "application/pdf");
  EXPECT_EQ(sink.findings["mime"], "application/pdf");
  EXPECT_NE(sink.findings["description"].find("PDF document, version 1.7"), std::string::npos);
  EXPECT_EQ(sink.findings.count("encoding"), 1u);
}

TEST(BundledAbiTest, HashEmitsSha256AndHonoursCancellation) {
  auto plugin = Load(ARCHIVUM_HASH_PLUGIN);
  TestFile file("/docs/abc", "abc");
  RecordingSink sink;
  ASSERT_EQ(plugin->Process(file, sink), ARCHIVUM_OK) << plugin->error();
  EXPECT_EQ(sink.findings["sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  const std::string big(size_t{8} << 20, 'z');
  TestFile cancelled("/docs/big", big);
  cancelled.CancelAfter(2);
  RecordingSink unused;
  EXPECT_EQ(plugin->Process(cancelled, unused), ARCHIVUM_CANCELLED);
  EXPECT_EQ(cancelled.cancel_checks(), 3);
  EXPECT_TRUE(unused.findings.empty());
}

TEST(BundledAbiTest, TextEmitsTextAndFindings) {
  auto plugin = Load(ARCHIVUM_TEXT_PLUGIN);
  TestFile html("/docs/page.html",
                "<html><body><p>Hello &amp; welcome</p>\n<p>Bye</p></body></html>\n", "text/html");
  RecordingSink sink;
  ASSERT_EQ(plugin->Process(html, sink), ARCHIVUM_OK) << plugin->error();
  EXPECT_EQ(sink.text, "Hello & welcome\nBye");
  EXPECT_EQ(sink.findings["charset"], "us-ascii");
  EXPECT_EQ(sink.findings["lines"], "2");
  EXPECT_EQ(sink.findings.count("truncated"), 0u);

  TestFile binary("/docs/blob",
                  "\x7f"
                  "ELF\x02\x01\x01\0\0\0"s,
                  "text/plain");
  RecordingSink binary_sink;
  EXPECT_EQ(plugin->Process(binary, binary_sink), ARCHIVUM_UNSUPPORTED);
}

TEST(BundledAbiTest, TextIsEmittedInPiecesAndMarkedTruncatedWhenCapped) {
  auto plugin = Load(ARCHIVUM_TEXT_PLUGIN, R"({"max_text": "100k"})");
  const std::string content(size_t{300} << 10, 'x');
  TestFile file("/docs/long.txt", content, "text/plain");
  RecordingSink sink;
  ASSERT_EQ(plugin->Process(file, sink), ARCHIVUM_OK) << plugin->error();
  EXPECT_EQ(sink.text.size(), size_t{100} << 10);
  EXPECT_GT(sink.text_calls, 1);
  EXPECT_EQ(sink.findings["truncated"], "true");

  // The host's own output budget also truncates, without failing the file.
  auto defaults = Load(ARCHIVUM_TEXT_PLUGIN);
  RecordingSink small;
  small.text_budget = 100000;
  ASSERT_EQ(defaults->Process(file, small), ARCHIVUM_OK) << defaults->error();
  EXPECT_LE(small.text.size(), 100000u);
  EXPECT_EQ(small.findings["truncated"], "true");
}

TEST(BundledAbiTest, SimilarStoresSignaturesAndAnswersQueries) {
  auto plugin = Load(ARCHIVUM_SIMILAR_PLUGIN);
  const std::string text =
      "the quick brown fox jumps over the lazy dog while the farmer watches from the porch and "
      "the children play in the field behind the old red barn near the river";
  TestFile a("/docs/a.txt", "", "text/plain", text);
  TestFile b("/docs/b.txt", "", "text/plain", text + " today");
  TestFile c("/docs/c.txt", "", "text/plain",
             "completely different words about compilers linkers and loaders for shared objects");
  TestFile empty("/docs/empty.bin", "\x01\x02", "application/octet-stream", "");
  for (const TestFile* file : {&a, &b, &c}) {
    RecordingSink sink;
    ASSERT_EQ(plugin->Process(*file, sink), ARCHIVUM_OK) << plugin->error();
    EXPECT_EQ(sink.findings["signature"].size(), 16u);
    EXPECT_FALSE(sink.findings["shingles"].empty());
  }
  RecordingSink empty_sink;
  EXPECT_EQ(plugin->Process(empty, empty_sink), ARCHIVUM_UNSUPPORTED);

  RecordingQuerySink hits;
  ASSERT_EQ(plugin->Query("similar", "/docs/a.txt", hits), ARCHIVUM_OK) << plugin->error();
  ASSERT_EQ(hits.hits.size(), 1u);
  EXPECT_EQ(hits.hits[0].path, "/docs/b.txt");
  EXPECT_GE(hits.hits[0].score, 0.5);
  EXPECT_EQ(hits.hits[0].detail.rfind("similarity 0.", 0), 0u) << hits.hits[0].detail;

  // Another connection (another process, after a crash) sees the signatures once flushed.
  ASSERT_EQ(plugin->Flush(), ARCHIVUM_OK) << plugin->error();
  EXPECT_EQ(CountRows(plugin->data_dir() + "/signatures.sqlite3"), 3);

  RecordingQuerySink none;
  EXPECT_EQ(plugin->Query("similar", "/docs/unknown.txt", none), ARCHIVUM_NOT_FOUND);
  EXPECT_NE(plugin->error().find("/docs/unknown.txt"), std::string::npos) << plugin->error();
  EXPECT_TRUE(none.hits.empty());
}

}  // namespace
}  // namespace archivum::bundled
