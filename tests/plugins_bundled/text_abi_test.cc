// The built text plugin module through the C ABI, as the host uses it: dlopen, the entry symbol,
// create() with a config, process() into a sink, last_error() and destroy().
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/text_documents.h"

namespace archivum::bundled {
namespace {

using archivum::testing::EncodeText;
using archivum::testing::HtmlPage;
using archivum::testing::Language;
using archivum::testing::MakeHtml;
using archivum::testing::SampleText;
using testing::AbiString;
using testing::LoadedModule;
using testing::RecordingSink;
using testing::TestFile;

std::unique_ptr<LoadedModule> LoadText(std::string_view config = "{}") {
  auto module = std::make_unique<LoadedModule>(ARCHIVUM_TEXT_PLUGIN);
  EXPECT_TRUE(module->loaded()) << module->error();
  if (module->loaded()) {
    EXPECT_EQ(module->Create(config), ARCHIVUM_OK) << module->error();
  }
  return module;
}

TEST(TextPluginAbiTest, DescriptorAcceptsTextHtmlAndXml) {
  LoadedModule module(ARCHIVUM_TEXT_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "text");
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags & ARCHIVUM_FLAG_THREAD_SAFE, ARCHIVUM_FLAG_THREAD_SAFE);
  std::string accept;
  for (size_t i = 0; i < d.accept_count; ++i) accept += AbiString(d.accept[i]) + " ";
  for (const char* mime : {"text/* ", "application/xml ", "application/*+xml "}) {
    EXPECT_NE(accept.find(mime), std::string::npos) << mime;
  }
}

TEST(TextPluginAbiTest, ExtractsLegacyHtmlWithItsMetadata) {
  auto text = LoadText();
  HtmlPage page;
  page.lang = "ru";
  page.charset = "koi8-r";
  page.title = "Прогулка";
  page.author = "Анна";
  page.body = "<p>" + std::string(SampleText(Language::kRussian)) + "</p>";
  TestFile file("/docs/walk.html", EncodeText(MakeHtml(page), "KOI8-R"), "text/html");
  RecordingSink sink;
  ASSERT_EQ(text->Process(file, sink), ARCHIVUM_OK) << text->error();
  EXPECT_EQ(sink.text, "Прогулка\n" + std::string(SampleText(Language::kRussian))
                                          .substr(0, SampleText(Language::kRussian).size() - 1));
  EXPECT_EQ(sink.findings["charset"], "koi8-r");
  EXPECT_EQ(sink.findings["title"], "Прогулка");
  EXPECT_EQ(sink.findings["author"], "Анна");
  EXPECT_EQ(sink.findings["language"], "ru");
  EXPECT_EQ(sink.findings.count("truncated"), 0u);
}

TEST(TextPluginAbiTest, BinaryIsUnsupportedAndCancellationIsReported) {
  auto text = LoadText();
  TestFile binary("/docs/a.bin",
                  std::string("\x7f"
                              "ELF\0\0\0\0",
                              8),
                  "text/plain");
  RecordingSink unused;
  EXPECT_EQ(text->Process(binary, unused), ARCHIVUM_UNSUPPORTED);

  TestFile big("/docs/big.txt", std::string(size_t{3} << 20, 'a'), "text/plain");
  big.CancelAfter(0);
  RecordingSink cancelled;
  EXPECT_EQ(text->Process(big, cancelled), ARCHIVUM_CANCELLED);
}

TEST(TextPluginAbiTest, HostOutputBudgetTruncatesInsteadOfFailing) {
  auto text = LoadText(R"({"max_bytes": "1M"})");
  TestFile file("/docs/long.txt", std::string(size_t{2} << 20, 'z'), "text/plain");
  RecordingSink sink;
  sink.text_budget = 100 << 10;
  ASSERT_EQ(text->Process(file, sink), ARCHIVUM_OK) << text->error();
  EXPECT_EQ(sink.text, std::string(64 << 10, 'z'));  // one piece fit, the next did not
  EXPECT_EQ(sink.findings["truncated"], "true");
  EXPECT_EQ(sink.findings["charset"], "us-ascii");
}

TEST(TextPluginAbiTest, BadConfigFailsCreateWithAReason) {
  LoadedModule module(ARCHIVUM_TEXT_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"max_text": "lots"})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(module.error().find("max_text"), std::string::npos) << module.error();
}

}  // namespace
}  // namespace archivum::bundled
