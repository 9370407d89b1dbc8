// The built pdf plugin module through the C ABI, as the host uses it: dlopen, the entry symbol,
// create() with a config, process() into a sink, last_error() and destroy().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/pdf_writer.h"

namespace archivum::bundled {
namespace {

using archivum::testing::MakePdf;
using archivum::testing::PdfFixture;
using archivum::testing::ReadPdfFixture;
using testing::AbiString;
using testing::LoadedModule;
using testing::RecordingSink;
using testing::TestFile;

TEST(PdfAbiTest, DescriptorDeclaresAThreadSafeExtractorOfPdf) {
  LoadedModule module(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "pdf");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.struct_size, sizeof(archivum_plugin_descriptor));
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE);
  ASSERT_EQ(d.accept_count, 1u);
  EXPECT_EQ(AbiString(d.accept[0]), "application/pdf");
  EXPECT_EQ(d.query, nullptr);
  EXPECT_EQ(d.flush, nullptr);
  EXPECT_EQ(d.max_file_size, 0u) << "a file too large for poppler gets an error, not silence";
}

TEST(PdfAbiTest, AnySettingIsRefused) {
  LoadedModule module(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"max_pages": 10})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(module.error().find("config"), std::string::npos) << module.error();
}

TEST(PdfAbiTest, ProcessesDocumentsThroughTheAbi) {
  LoadedModule module(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();

  TestFile pdf("/docs/report.pdf",
               MakePdf({.pages = {"Hello from page one", "and page two"},
                        .info = {{"Title", "Report"}, {"CreationDate", "D:20240301093000Z"}}}),
               "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module.Process(pdf, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.text, "Hello from page one\n\f\nand page two");
  EXPECT_EQ(sink.findings["pages"], "2");
  EXPECT_EQ(sink.findings["title"], "Report");
  EXPECT_EQ(sink.findings["created"], "2024-03-01T09:30:00Z");

  TestFile locked("/docs/locked.pdf", ReadPdfFixture(PdfFixture::kUserPassword), "application/pdf");
  RecordingSink locked_sink;
  ASSERT_EQ(module.Process(locked, locked_sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(locked_sink.tags, std::vector<std::string>{"encrypted"});

  TestFile garbage("/docs/fake.pdf", std::string(4096, '\x7f'), "application/pdf");
  RecordingSink garbage_sink;
  EXPECT_EQ(module.Process(garbage, garbage_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module.error().rfind("not a readable PDF: ", 0), 0u) << module.error();

  TestFile cancelled("/docs/report.pdf", MakePdf({.pages = {"x"}}), "application/pdf");
  cancelled.CancelAfter(0);
  RecordingSink cancelled_sink;
  EXPECT_EQ(module.Process(cancelled, cancelled_sink), ARCHIVUM_CANCELLED);
}

}  // namespace
}  // namespace archivum::bundled
