// The thumbnail helper the image, pdf and office plugins share (plugins/common/thumbnail.h): its
// output contract (WebP, <= 256 px on the long side, aspect kept, never enlarged, upright), the
// pixel path, the limits, and the loaders it refuses to run.
#include "common/thumbnail.h"

#include <gtest/gtest.h>

#include <string>

#include "plugins_bundled/preview_util.h"
#include "support/documents/image_writer.h"

namespace archivum::bundled {
namespace {

using archivum::testing::ImageContent;
using archivum::testing::ImageFormat;
using archivum::testing::ImageSpec;
using archivum::testing::MakeImage;
using archivum::testing::MakePngDeclaring;
using testing::DecodedPreview;
using testing::DecodeWebp;

TEST(ThumbnailTest, EncodedImagesBecomeBoundedWebpWithTheirAspect) {
  struct Case {
    int width, height, expected_width, expected_height;
  };
  for (const Case c :
       {Case{4000, 3000, 256, 192}, Case{3000, 4000, 192, 256}, Case{1000, 10, 256, 3},
        Case{256, 256, 256, 256}, Case{100, 50, 100, 50}, Case{1, 1, 1, 1}}) {
    SCOPED_TRACE(std::to_string(c.width) + "x" + std::to_string(c.height));
    const Thumbnail t = ThumbnailFromEncoded(MakeImage({.width = c.width, .height = c.height}));
    ASSERT_TRUE(t.ok()) << t.error;
    EXPECT_EQ(t.source_width, static_cast<uint64_t>(c.width));
    EXPECT_EQ(t.source_height, static_cast<uint64_t>(c.height));
    EXPECT_EQ(t.width, c.expected_width);
    EXPECT_EQ(t.height, c.expected_height);
    EXPECT_EQ(t.webp.compare(0, 4, "RIFF"), 0);
    EXPECT_EQ(t.webp.compare(8, 4, "WEBP"), 0);
    EXPECT_LE(t.webp.size(), kThumbnailMaxBytes);
    const DecodedPreview decoded = DecodeWebp(t.webp);
    ASSERT_TRUE(decoded.ok);
    EXPECT_EQ(decoded.width, c.expected_width);
    EXPECT_EQ(decoded.height, c.expected_height);
  }
}

TEST(ThumbnailTest, NoiseStaysWellUnderTheSizeBound) {
  const Thumbnail t = ThumbnailFromEncoded(MakeImage(
      {.format = ImageFormat::kPng, .width = 600, .height = 600, .content = ImageContent::kNoise}));
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_LT(t.webp.size(), kThumbnailMaxBytes / 2);
}

TEST(ThumbnailTest, TheCallersOrientationReplacesTheImagesOwn) {
  const std::string halves =
      MakeImage({.width = 200, .height = 100, .content = ImageContent::kLeftRedRightBlue});
  // Orientation 8: viewers rotate 90° counter-clockwise, so the left half (red) goes to the
  // bottom.
  const Thumbnail t = ThumbnailFromEncoded(halves, {.orientation = 8});
  ASSERT_TRUE(t.ok()) << t.error;
  const DecodedPreview d = DecodeWebp(t.webp);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.width, 100);
  EXPECT_EQ(d.height, 200);
  EXPECT_TRUE(DecodedPreview::Blue(d.At(50, 20)));
  EXPECT_TRUE(DecodedPreview::Red(d.At(50, 180)));
  // 3: upside down, so left and right swap.
  const DecodedPreview turned = DecodeWebp(ThumbnailFromEncoded(halves, {.orientation = 3}).webp);
  ASSERT_TRUE(turned.ok);
  EXPECT_TRUE(DecodedPreview::Blue(turned.At(20, 50)));
  EXPECT_TRUE(DecodedPreview::Red(turned.At(180, 50)));
}

TEST(ThumbnailTest, PixelsBecomeAThumbnail) {
  // 600 x 300 RGB: left half red, right half blue.
  std::string rgb;
  for (int y = 0; y < 300; ++y) {
    for (int x = 0; x < 600; ++x)
      rgb += x < 300 ? std::string("\xff\0\0", 3) : std::string("\0\0\xff", 3);
  }
  const Thumbnail t = ThumbnailFromPixels(rgb, 600, 300, 3);
  ASSERT_TRUE(t.ok()) << t.error;
  const DecodedPreview d = DecodeWebp(t.webp);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.width, 256);
  EXPECT_EQ(d.height, 128);
  EXPECT_TRUE(DecodedPreview::Red(d.At(30, 64)));
  EXPECT_TRUE(DecodedPreview::Blue(d.At(226, 64)));

  std::string rgba(40 * 20 * 4, '\x80');
  EXPECT_TRUE(ThumbnailFromPixels(rgba, 40, 20, 4).ok());
  EXPECT_FALSE(ThumbnailFromPixels(rgba, 40, 21, 4).ok()) << "too few bytes for the size";
  EXPECT_FALSE(ThumbnailFromPixels(rgba, 40, 20, 2).ok());
  EXPECT_FALSE(ThumbnailFromPixels("", 0, 0, 3).ok());
}

TEST(ThumbnailTest, SourcesOverThePixelLimitAreRefusedFromTheirHeader) {
  const Thumbnail bomb = ThumbnailFromEncoded(MakePngDeclaring(100000, 100000));
  EXPECT_FALSE(bomb.ok());
  EXPECT_TRUE(bomb.refused);
  EXPECT_FALSE(bomb.undecodable);
  EXPECT_EQ(bomb.source_width, 100000u);
  EXPECT_NE(bomb.error.find("100000 x 100000"), std::string::npos) << bomb.error;

  const std::string small = MakeImage({.width = 100, .height = 100});
  EXPECT_TRUE(ThumbnailFromEncoded(small, {.max_pixels = 10000}).ok());
  const Thumbnail over = ThumbnailFromEncoded(small, {.max_pixels = 9999});
  EXPECT_TRUE(over.refused);
  EXPECT_FALSE(
      ThumbnailFromPixels(std::string(100 * 100 * 3, '\0'), 100, 100, 3, {.max_pixels = 9999})
          .ok());
}

TEST(ThumbnailTest, OnlyTheTrustedLoadersRun) {
  // libvips could read these through its SVG, PPM, CSV and PDF loaders; none may run on
  // untrusted bytes.
  const std::string svg =
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>)";
  const std::string ppm = "P6\n2 2\n255\n" + std::string(12, '\x7f');
  const std::string pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
  for (const std::string& bytes : {svg, ppm, pdf}) {
    const Thumbnail t = ThumbnailFromEncoded(bytes);
    EXPECT_FALSE(t.ok()) << bytes.substr(0, 8);
    EXPECT_FALSE(t.refused);
    EXPECT_TRUE(t.undecodable);
    EXPECT_FALSE(t.error.empty());
  }
  for (const ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kTiff,
                                   ImageFormat::kWebp, ImageFormat::kGif, ImageFormat::kHeic}) {
    EXPECT_TRUE(ThumbnailFromEncoded(MakeImage({.format = format})).ok())
        << static_cast<int>(format);
  }
}

TEST(ThumbnailTest, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(ThumbnailFromEncoded("").ok());
  EXPECT_FALSE(ThumbnailFromEncoded(std::string(1000, '\xff')).ok());
  const std::string jpeg = MakeImage({.width = 300, .height = 200});
  EXPECT_TRUE(ThumbnailFromEncoded(jpeg.substr(0, 100)).undecodable);
  // Cut in the pixel data: the header reads, the pixels do not (no half-grey thumbnail).
  const Thumbnail cut = ThumbnailFromEncoded(jpeg.substr(0, jpeg.size() - 100));
  EXPECT_FALSE(cut.ok());
  EXPECT_TRUE(cut.undecodable);
  EXPECT_EQ(cut.source_width, 300u);
}

}  // namespace
}  // namespace archivum::bundled
