// The pdf plugin's preview (ABI 1.4): page 1 rendered to a WebP thumbnail of at most 256 px on
// its long side, decoded back with libwebp; none for a locked document or with thumbnails off.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "archivum/plugin.hpp"
#include "common/pdf_assembly.h"
#include "pdf/pdf_extractor.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/preview_util.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/pdf_writer.h"

namespace archivum::bundled::pdf {
namespace {

using archivum::testing::MakePdf;
using archivum::testing::PdfFixture;
using archivum::testing::ReadPdfFixture;
using testing::DecodedPreview;
using testing::DecodeWebp;
using testing::LoadedModule;
using testing::RecordingSink;
using testing::TestFile;

// A US Letter page (612 x 792 points) full of text lines on its upper half.
std::string PreviewTextPage() {
  std::string lines;
  for (int i = 0; i < 15; ++i) lines += "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW\n";
  return lines;
}

TEST(PdfPreviewTest, PageOneBecomesAThumbnailOfAtMost256Pixels) {
  LoadedModule module(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  TestFile pdf("/docs/report.pdf", MakePdf({.pages = {PreviewTextPage(), "second page"}}),
               "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module.Process(pdf, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.findings["pages"], "2");
  ASSERT_EQ(sink.preview_calls, 1);
  EXPECT_EQ(sink.preview_mime, "image/webp");
  const DecodedPreview preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  // 612 x 792 points scaled to 256 on the long side: 197.8 wide.
  EXPECT_EQ(preview.height, 256);
  EXPECT_GE(preview.width, 197);
  EXPECT_LE(preview.width, 198);
  // White paper, with the text lines dark near the top left and nothing at the bottom.
  int dark_top = 0;
  int dark_bottom = 0;
  for (int y = 0; y < preview.height; ++y) {
    for (int x = 0; x < preview.width; ++x) {
      const DecodedPreview::Color c = preview.At(x, y);
      if (c.r + c.g + c.b < 3 * 160) ++(y < 128 ? dark_top : dark_bottom);
    }
  }
  EXPECT_GT(dark_top, 500);
  EXPECT_EQ(dark_bottom, 0);
  const DecodedPreview::Color corner = preview.At(preview.width - 2, preview.height - 2);
  EXPECT_GT(std::min({corner.r, corner.g, corner.b}), 240);
}

// A one-page PDF (US Letter) whose left half is filled red and right half blue, with an exact
// cross-reference table: pdf_writer.h draws only text.
std::string RedBluePdf() {
  const std::string content = "1 0 0 rg 0 0 306 792 re f 0 0 1 rg 306 0 306 792 re f\n";
  const std::string objects[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
  };
  return AssemblePdf(objects);
}

TEST(PdfPreviewTest, ColorsAndSidesArePreserved) {
  LoadedModule module(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  TestFile pdf("/docs/flag.pdf", RedBluePdf(), "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module.Process(pdf, sink), ARCHIVUM_OK) << module.error();
  const DecodedPreview preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.height, 256);
  EXPECT_TRUE(DecodedPreview::Red(preview.At(20, 128)));
  EXPECT_TRUE(DecodedPreview::Blue(preview.At(preview.width - 20, 128)));
}

TEST(PdfPreviewTest, NoneWhenTurnedOffOrLocked) {
  LoadedModule off(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(off.loaded()) << off.error();
  ASSERT_EQ(off.Create(R"({"thumbnails": false})"), ARCHIVUM_OK) << off.error();
  TestFile pdf("/docs/a.pdf", MakePdf({.pages = {"text"}}), "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(off.Process(pdf, sink), ARCHIVUM_OK) << off.error();
  EXPECT_EQ(sink.text, "text");
  EXPECT_EQ(sink.preview_calls, 0);

  LoadedModule on(ARCHIVUM_PDF_PLUGIN);
  ASSERT_TRUE(on.loaded()) << on.error();
  ASSERT_EQ(on.Create("{}"), ARCHIVUM_OK) << on.error();
  TestFile locked("/docs/locked.pdf", ReadPdfFixture(PdfFixture::kUserPassword), "application/pdf");
  RecordingSink locked_sink;
  ASSERT_EQ(on.Process(locked, locked_sink), ARCHIVUM_OK) << on.error();
  EXPECT_EQ(locked_sink.preview_calls, 0);
}

TEST(PdfPreviewTest, CancellationBeforeTheRenderingStopsTheFile) {
  // Checks: before loading, after loading, before page 1, then before the rendering.
  RecordingSink sink;
  TestFile file("/docs/a.pdf", MakePdf({.pages = {"one"}}), "application/pdf");
  file.CancelAfter(3);
  archivum_host_api api{};
  api.struct_size = sizeof(api);
  api.log = [](void*, archivum_log_level, archivum_str) {};
  const sdk::Host host(&api);
  const PdfExtractor extractor(host);
  sdk::File f(file.get());
  sdk::Sink s(sink.get());
  EXPECT_EQ(extractor.Process(f, s), ARCHIVUM_CANCELLED);
  EXPECT_EQ(sink.text, "one");
  EXPECT_EQ(sink.preview_calls, 0);
}

}  // namespace
}  // namespace archivum::bundled::pdf
