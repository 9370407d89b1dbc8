// The office plugin's preview (ABI 1.4): the image a package keeps to show the document (OOXML's
// docProps/thumbnail.jpeg, ODF's Thumbnails/thumbnail.png, EPUB's cover image) made a WebP
// thumbnail, decoded back with libwebp; none for a vector thumbnail, a missing or broken one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "office/office_extractor.h"
#include "plugins_bundled/office_test_util.h"
#include "plugins_bundled/preview_util.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/image_writer.h"
#include "support/documents/office_writer.h"

namespace archivum::bundled::office {
namespace {

using archivum::testing::ChapterSpec;
using archivum::testing::DocxMembers;
using archivum::testing::EpubMembers;
using archivum::testing::ImageContent;
using archivum::testing::ImageFormat;
using archivum::testing::ImageSpec;
using archivum::testing::MakeImage;
using archivum::testing::OdtMembers;
using archivum::testing::PackageMember;
using archivum::testing::SetMember;
using archivum::testing::WritePackage;
using bundled::testing::DecodedPreview;
using bundled::testing::DecodeWebp;
using bundled::testing::RecordingSink;
using bundled::testing::TestFile;
using testing::kDocxMime;
using testing::kEpubMime;
using testing::kOdtMime;

std::string& CoverMemberBytes(std::vector<PackageMember>& members, std::string_view name) {
  for (PackageMember& m : members) {
    if (m.name == name) return m.bytes;
  }
  ADD_FAILURE() << "no member " << name;
  static std::string none;
  return none;
}

// `text` with `insert` placed before the first `before`.
void CoverInsertBefore(std::string& text, std::string_view before, std::string_view insert) {
  const size_t at = text.find(before);
  ASSERT_NE(at, std::string::npos) << before;
  text.insert(at, insert);
}

std::string CoverImage(ImageFormat format, int width, int height) {
  return MakeImage(
      {.format = format, .width = width, .height = height, .content = ImageContent::kGreen});
}

struct CoverRun {
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  RecordingSink sink;
};

void ProcessCover(const std::string& bytes, std::string_view mime, CoverRun& run,
                  const Options& options = {}) {
  TestFile file("/docs/a", bytes, std::string(mime));
  sdk::File f(file.get());
  sdk::Sink s(run.sink.get());
  try {
    run.rc = office::Process(f, s, options);
  } catch (const sdk::Error& e) {
    run.rc = e.code();
    run.error = e.what();
  }
}

void ExpectGreenThumbnail(const CoverRun& run, int width, int height) {
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(run.sink.preview_calls, 1);
  EXPECT_EQ(run.sink.preview_mime, "image/webp");
  const DecodedPreview preview = DecodeWebp(run.sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.width, width);
  EXPECT_EQ(preview.height, height);
  EXPECT_TRUE(DecodedPreview::Green(preview.At(width / 2, height / 2)));
}

std::vector<PackageMember> DocxWithThumbnail(const std::string& name, const std::string& image) {
  std::vector<PackageMember> members = DocxMembers({"Hello"});
  CoverInsertBefore(
      CoverMemberBytes(members, "_rels/.rels"), "</Relationships>",
      "<Relationship Id=\"rIdThumb\" Type=\"http://schemas.openxmlformats.org/package/"
      "2006/relationships/metadata/thumbnail\" Target=\"" +
          name + "\"/>");
  SetMember(members, name, image);
  return members;
}

TEST(OfficePreviewTest, DocxThumbnailBecomesThePreview) {
  CoverRun run;
  ProcessCover(WritePackage(DocxWithThumbnail("docProps/thumbnail.jpeg",
                                              CoverImage(ImageFormat::kJpeg, 600, 800))),
               kDocxMime, run);
  EXPECT_EQ(run.sink.text, "Hello");
  ExpectGreenThumbnail(run, 192, 256);
}

TEST(OfficePreviewTest, OdtThumbnailBecomesThePreview) {
  std::vector<PackageMember> members = OdtMembers({"Hello"});
  SetMember(members, "Thumbnails/thumbnail.png", CoverImage(ImageFormat::kPng, 181, 256));
  CoverRun run;
  ProcessCover(WritePackage(members), kOdtMime, run);
  ExpectGreenThumbnail(run, 181, 256);
}

TEST(OfficePreviewTest, EpubCoverImageBecomesThePreview) {
  // EPUB 3: the manifest item with the cover-image property.
  std::vector<PackageMember> members = EpubMembers({ChapterSpec{"One", {"Text"}}});
  CoverInsertBefore(CoverMemberBytes(members, "OEBPS/content.opf"), "</manifest>",
                    "<item id=\"cover\" href=\"Images/cover.jpg\" media-type=\"image/jpeg\" "
                    "properties=\"cover-image\"/>");
  SetMember(members, "OEBPS/Images/cover.jpg", CoverImage(ImageFormat::kJpeg, 1600, 2400));
  CoverRun run;
  ProcessCover(WritePackage(members), kEpubMime, run);
  ExpectGreenThumbnail(run, 171, 256);

  // EPUB 2: <meta name="cover" content="ID">.
  std::vector<PackageMember> old = EpubMembers({ChapterSpec{"One", {"Text"}}});
  std::string& opf = CoverMemberBytes(old, "OEBPS/content.opf");
  CoverInsertBefore(opf, "</manifest>",
                    "<item id=\"cover-img\" href=\"cover.png\" media-type=\"image/png\"/>");
  CoverInsertBefore(opf, "</metadata>", "<meta name=\"cover\" content=\"cover-img\"/>");
  SetMember(old, "OEBPS/cover.png", CoverImage(ImageFormat::kPng, 300, 400));
  CoverRun old_run;
  ProcessCover(WritePackage(old), kEpubMime, old_run);
  ExpectGreenThumbnail(old_run, 192, 256);
}

TEST(OfficePreviewTest, VectorMissingOrBrokenThumbnailsGiveNoPreviewButTheDocument) {
  const std::string emf = std::string("\x01\x00\x00\x00", 4) + std::string(100, '\0');
  const std::vector<std::vector<PackageMember>> packages = {
      DocxWithThumbnail("docProps/thumbnail.emf", emf),                        // a vector drawing
      DocxWithThumbnail("docProps/thumbnail.jpeg", std::string(500, '\x42')),  // garbage
      [] {  // named by the relationships, but not in the package
        std::vector<PackageMember> m = DocxWithThumbnail("docProps/thumbnail.jpeg", "x");
        std::erase_if(m,
                      [](const PackageMember& p) { return p.name == "docProps/thumbnail.jpeg"; });
        return m;
      }(),
  };
  for (const auto& members : packages) {
    CoverRun run;
    ProcessCover(WritePackage(members), kDocxMime, run);
    ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
    EXPECT_EQ(run.sink.text, "Hello");
    EXPECT_EQ(run.sink.preview_calls, 0);
    EXPECT_FALSE(run.sink.logs.empty());
  }
}

TEST(OfficePreviewTest, ThumbnailsCanBeTurnedOff) {
  const std::string docx = WritePackage(
      DocxWithThumbnail("docProps/thumbnail.jpeg", CoverImage(ImageFormat::kJpeg, 100, 100)));
  Options off = ParseOptions(R"({"thumbnails": false})");
  EXPECT_FALSE(off.thumbnails);
  CoverRun run;
  ProcessCover(docx, kDocxMime, run, off);
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(run.sink.preview_calls, 0);
  EXPECT_TRUE(testing::Read(docx, kDocxMime, off).cover.empty());
  EXPECT_FALSE(testing::Read(docx, kDocxMime).cover.empty());
}

}  // namespace
}  // namespace archivum::bundled::office
