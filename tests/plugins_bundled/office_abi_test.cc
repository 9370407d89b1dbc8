// The built office module through the C ABI, as the host loads it: dlopen, the entry symbol,
// the descriptor, create() with a config, process() into a recording sink, last_error().
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/office_test_util.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/office_writer.h"

namespace archivum::bundled::office {
namespace {

using archivum::bundled::testing::AbiString;
using archivum::bundled::testing::LoadedModule;
using archivum::bundled::testing::RecordingSink;
using archivum::bundled::testing::TestFile;

TEST(OfficeAbiTest, DescriptorDeclaresAnExtractPluginForTheOfficeTypes) {
  LoadedModule module(ARCHIVUM_OFFICE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "office");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags & ARCHIVUM_FLAG_THREAD_SAFE, ARCHIVUM_FLAG_THREAD_SAFE);
  EXPECT_EQ(d.query, nullptr);
  std::vector<std::string> accept;
  for (size_t i = 0; i < d.accept_count; ++i) accept.push_back(AbiString(d.accept[i]));
  for (const char* mime :
       {testing::kDocxMime, testing::kXlsxMime, testing::kPptxMime, testing::kOdtMime,
        testing::kOdsMime, testing::kOdpMime, testing::kEpubMime, "application/encrypted"}) {
    EXPECT_NE(std::find(accept.begin(), accept.end(), mime), accept.end()) << mime;
  }
}

TEST(OfficeAbiTest, ProcessEmitsTextAndFindingsAndNoChildren) {
  LoadedModule module(ARCHIVUM_OFFICE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  archivum::testing::OfficeMetadata meta;
  meta.title = "Plan";
  meta.authors = {"Ann"};
  meta.created = "2024-05-06T07:08:09Z";
  TestFile file("/docs/plan.docx", archivum::testing::MakeDocx({"First line", "Second line"}, meta),
                testing::kDocxMime);
  RecordingSink sink;
  ASSERT_EQ(module.Process(file, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.text, "First line\nSecond line");
  EXPECT_EQ(sink.findings,
            (std::map<std::string, std::string>{
                {"title", "Plan"}, {"author", "Ann"}, {"created", "2024-05-06T07:08:09Z"}}));
  EXPECT_TRUE(sink.children.empty());
  EXPECT_TRUE(sink.tags.empty());

  TestFile locked("/docs/locked.docx", archivum::testing::MakeEncryptedOoxml(),
                  "application/encrypted");
  RecordingSink locked_sink;
  ASSERT_EQ(module.Process(locked, locked_sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(locked_sink.tags, std::vector<std::string>{"encrypted"});
  EXPECT_TRUE(locked_sink.text.empty());
}

TEST(OfficeAbiTest, FailuresAndRefusalsReachTheHost) {
  LoadedModule module(ARCHIVUM_OFFICE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create(R"({"max_text": "64k"})"), ARCHIVUM_OK) << module.error();

  TestFile garbage("/docs/bad.docx", "PK\3\4 not really a zip", testing::kDocxMime);
  RecordingSink garbage_sink;
  EXPECT_EQ(module.Process(garbage, garbage_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module.error().rfind("not a readable DOCX: not a ZIP archive", 0), 0u)
      << module.error();

  // The plugin's own limit and the host's output budget both truncate without failing.
  const std::vector<std::string> paragraphs(5000, "Many words in many paragraphs");
  TestFile big("/docs/big.odt", archivum::testing::MakeOdt(paragraphs), testing::kOdtMime);
  RecordingSink capped;
  ASSERT_EQ(module.Process(big, capped), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(capped.text.size(), size_t{64} << 10);
  EXPECT_GT(capped.text_calls, 0);
  EXPECT_EQ(capped.findings["truncated"], "true");
  RecordingSink host_limited;
  host_limited.text_budget = 1000;
  ASSERT_EQ(module.Process(big, host_limited), ARCHIVUM_OK) << module.error();
  EXPECT_LE(host_limited.text.size(), 1000u);
  EXPECT_EQ(host_limited.findings["truncated"], "true");

  TestFile slow("/docs/slow.odt", archivum::testing::MakeOdt(paragraphs), testing::kOdtMime);
  slow.CancelAfter(1);
  RecordingSink cancelled;
  EXPECT_EQ(module.Process(slow, cancelled), ARCHIVUM_CANCELLED);

  LoadedModule misconfigured(ARCHIVUM_OFFICE_PLUGIN);
  ASSERT_TRUE(misconfigured.loaded()) << misconfigured.error();
  EXPECT_EQ(misconfigured.Create(R"({"max_txt": 5})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(misconfigured.error().find("max_txt"), std::string::npos) << misconfigured.error();
}

TEST(OfficeAbiTest, ConcurrentCallsOnOneStateAgree) {
  LoadedModule module(ARCHIVUM_OFFICE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  const std::string epub =
      archivum::testing::MakeEpub({{"One", {"Alpha beta"}}, {"Two", {"Gamma"}}});
  const std::string xlsx = archivum::testing::MakeXlsx({{"Sheet", {{"x", "1"}}}});
  std::vector<std::thread> threads;
  std::vector<std::string> texts(8);
  for (size_t t = 0; t < texts.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const bool book = t % 2 == 0;
        TestFile file("/docs/f", book ? epub : xlsx,
                      book ? testing::kEpubMime : testing::kXlsxMime);
        RecordingSink sink;
        if (module.ProcessConcurrently(file, sink) != ARCHIVUM_OK) return;
        texts[t] = sink.text;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < texts.size(); ++t) {
    EXPECT_EQ(texts[t], t % 2 == 0 ? "One\nAlpha beta\nTwo\nGamma" : "Sheet\nx\t1") << t;
  }
}

}  // namespace
}  // namespace archivum::bundled::office
