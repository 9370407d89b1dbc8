// The image plugin on input that is not what it claims: empty, random, truncated and mutated
// images, other formats under an image label, a decompression bomb's header. Each costs one file
// (an error or partial results), never the process.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "image/image_extractor.h"
#include "image/image_reader.h"
#include "plugins_bundled/image_test_util.h"
#include "support/documents/image_writer.h"

namespace archivum::bundled::image {
namespace {

using archivum::testing::ImageFormat;
using archivum::testing::ImageSpec;
using archivum::testing::MakeImage;
using archivum::testing::MakePngDeclaring;
using testing::Logged;
using testing::Outcome;
using testing::RecordingSink;
using testing::RunImage;

class ImageHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitImageLibraries(); }

  static std::string RichJpeg() {
    ImageSpec spec;
    spec.width = 160;
    spec.height = 120;
    spec.exif.make = "Canon";
    spec.exif.date_time_original = "2024:03:01 09:30:15";
    spec.exif.gps_latitude = "48/1 51/1 301/10";
    spec.exif.gps_latitude_ref = "N";
    spec.exif.gps_longitude = "2/1 17/1 402/10";
    spec.exif.gps_longitude_ref = "E";
    spec.xmp.title = "Title";
    spec.xmp.keywords = {"a", "b"};
    spec.iptc.description = "Caption";
    return MakeImage(spec);
  }
};

TEST_F(ImageHostileTest, EmptyAndRandomBytesLabeledAsImagesAreErrors) {
  RecordingSink empty;
  const Outcome e = RunImage("", "image/jpeg", empty);
  EXPECT_EQ(e.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(e.error, "not a readable image/jpeg: the file is empty");

  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  RecordingSink sink;
  const Outcome r = RunImage(noise, "image/png", sink);
  EXPECT_EQ(r.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(r.error.rfind("not a readable image/png: ", 0), 0u) << r.error;
  EXPECT_TRUE(sink.finding_list.empty());
  EXPECT_EQ(sink.preview_calls, 0);
}

TEST_F(ImageHostileTest, BytesThatAreNoImageAndNotLabeledSoAreDeclined) {
  RecordingSink sink;
  EXPECT_EQ(RunImage("just some text\n", "text/plain", sink).rc, ARCHIVUM_UNSUPPORTED);
  EXPECT_TRUE(sink.finding_list.empty());
}

TEST_F(ImageHostileTest, FormatsExiv2KnowsButThePluginDoesNotReadAreRefusedUnparsed) {
  // A Photoshop document's signature and a Matroska video's EBML header: exiv2 has parsers for
  // both, which the plugin never lets near a file labeled as an image.
  const std::string psd = std::string("8BPS\0\1", 6) + std::string(256, '\0');
  const std::string mkv = std::string("\x1a\x45\xdf\xa3", 4) + std::string(256, '\0');
  for (const std::string& bytes : {psd, mkv}) {
    RecordingSink sink;
    const Outcome out = RunImage(bytes, "image/jpeg", sink);
    EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
    EXPECT_NE(out.error.find("does not read"), std::string::npos) << out.error;
  }
}

TEST_F(ImageHostileTest, TruncatedImagesCostOneFileAtMost) {
  for (const ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kTiff,
                                   ImageFormat::kWebp, ImageFormat::kGif, ImageFormat::kHeic}) {
    ImageSpec spec;
    spec.format = format;
    spec.width = 160;
    spec.height = 120;
    if (format != ImageFormat::kGif) spec.exif.make = "Canon";
    const std::string whole = MakeImage(spec);
    for (size_t cut = 1; cut < 8; ++cut) {
      const std::string part = whole.substr(0, whole.size() * cut / 8);
      SCOPED_TRACE(std::to_string(static_cast<int>(format)) + " cut at " +
                   std::to_string(part.size()) + " of " + std::to_string(whole.size()));
      RecordingSink sink;
      const Outcome out = RunImage(part, "image/x", sink);
      // Either an error naming the format, or what could be read with the damage stated.
      if (out.rc == ARCHIVUM_ERROR) {
        EXPECT_EQ(out.error.rfind("not a readable ", 0), 0u) << out.error;
      } else {
        ASSERT_EQ(out.rc, ARCHIVUM_OK);
        EXPECT_TRUE(sink.findings.contains("damaged"));
        EXPECT_EQ(sink.preview_calls, 0);
      }
    }
    // Cut inside the header, no format is readable.
    RecordingSink head;
    EXPECT_EQ(RunImage(whole.substr(0, 20), "image/x", head).rc, ARCHIVUM_ERROR)
        << static_cast<int>(format);
  }
}

TEST_F(ImageHostileTest, MutatedImagesNeverCrash) {
  const std::string jpeg = RichJpeg();
  std::mt19937 random(42);
  for (int round = 0; round < 150; ++round) {
    std::string bytes = jpeg;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) {
      // Mostly in the metadata at the start, where the parsers are.
      const size_t span = random() % 4 == 0 ? bytes.size() : std::min<size_t>(bytes.size(), 2048);
      bytes[random() % span] = static_cast<char>(random());
    }
    RecordingSink sink;
    const Outcome out = RunImage(bytes, "image/jpeg", sink);
    EXPECT_TRUE(out.rc == ARCHIVUM_OK || out.rc == ARCHIVUM_ERROR)
        << "round " << round << ": " << out.rc << " " << out.error;
  }
}

TEST_F(ImageHostileTest, ADecompressionBombGetsItsSizeButNoThumbnail) {
  // 100000 x 100000 RGB pixels would be 30 GB decoded.
  RecordingSink sink;
  const Outcome out = RunImage(MakePngDeclaring(100000, 100000), "image/png", sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.findings["width"], "100000");
  EXPECT_EQ(sink.findings["height"], "100000");
  EXPECT_EQ(sink.preview_calls, 0);
  EXPECT_TRUE(Logged(sink, "max_thumbnail_pixels"));
}

TEST_F(ImageHostileTest, AnImageCutInItsPixelDataKeepsItsMetadataAndSaysSo) {
  // The metadata precedes the pixel data: a JPEG cut in its scan keeps everything exiv2 reads,
  // and gets no half-grey thumbnail.
  const std::string jpeg = RichJpeg();
  RecordingSink sink;
  const Outcome out = RunImage(jpeg.substr(0, jpeg.size() - 200), "image/jpeg", sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.findings["width"], "160");
  EXPECT_EQ(sink.findings["camera_make"], "Canon");
  EXPECT_EQ(sink.findings["title"], "Title");
  EXPECT_EQ(sink.findings["damaged"], "image data: cannot be decoded");
  EXPECT_EQ(sink.preview_calls, 0);
  EXPECT_TRUE(Logged(sink, "no thumbnail"));
}

TEST_F(ImageHostileTest, DamagedMetadataWithReadablePixelsKeepsSizeAndThumbnail) {
  // The EXIF block's TIFF header broken ("II*" made "XX*"): exiv2 refuses the metadata, while
  // the pixel data that follows is intact.
  std::string jpeg = RichJpeg();
  const size_t exif = jpeg.find(std::string("Exif\0\0II*", 9));
  ASSERT_NE(exif, std::string::npos);
  jpeg[exif + 6] = 'X';
  jpeg[exif + 7] = 'X';
  RecordingSink sink;
  const Outcome out = RunImage(jpeg, "image/jpeg", sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.findings["width"], "160");
  EXPECT_EQ(sink.findings["height"], "120");
  EXPECT_EQ(sink.findings["damaged"].rfind("metadata: ", 0), 0u) << sink.findings["damaged"];
  EXPECT_FALSE(sink.findings.contains("camera_make"));
  EXPECT_EQ(sink.preview_calls, 1);

  // With the pixel data cut off too, nothing vouches for the file.
  RecordingSink cut;
  EXPECT_EQ(RunImage(jpeg.substr(0, exif + 64), "image/jpeg", cut).rc, ARCHIVUM_ERROR);
}

}  // namespace
}  // namespace archivum::bundled::image
