// The ocr plugin's image headers (ocr/image_reader.h): the size of every page is known before
// anything is decoded, including for BMP and GIF, whose headers leptonica only reads by decoding,
// so that a small file declaring a huge image is refused without allocating it.
#include <gtest/gtest.h>

#include <string>

#include "ocr/image_reader.h"
#include "plugins_bundled/ocr_test_util.h"
#include "support/documents/text_image.h"

namespace archivum::bundled::ocr {
namespace {

using archivum::testing::EncodeImage;
using archivum::testing::EncodeMultipageTiff;
using archivum::testing::TextImageFormat;
using testing::PhraseImage;
using testing::PngDeclaring;

std::string Le16(uint32_t v) {
  return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)};
}
std::string Le32(uint32_t v) {
  return Le16(v & 0xFFFF) + Le16(v >> 16);
}
// A GIF whose logical screen is 10 x 10 and whose `frames` frames are each `size` x `size`, with
// one empty data sub-block each (a few bytes per frame).
std::string GifDeclaring(int frames, uint32_t size) {
  std::string gif = "GIF89a" + Le16(10) + Le16(10) + std::string("\x00\x00\x00", 3);
  for (int i = 0; i < frames; ++i) {
    gif += "\x21\xF9\x04" + std::string("\x00\x00\x00\x00", 4) + std::string(1, '\0');  // GCE
    gif += "\x2C" + Le16(0) + Le16(0) + Le16(size) + Le16(size) + std::string(1, '\0');
    gif += std::string("\x08\x01\x00\x00", 4);  // LZW code size, a 1-byte block, terminator
  }
  return gif + "\x3B";
}

std::string BmpDeclaring(int32_t width, int32_t height) {
  std::string bmp = "BM" + Le32(54) + Le32(0) + Le32(54) + Le32(40) +
                    Le32(static_cast<uint32_t>(width)) + Le32(static_cast<uint32_t>(height)) +
                    Le16(1) + Le16(8);
  return bmp + std::string(54 - bmp.size(), '\0');
}

TEST(OcrImageTest, ReadsTheSizeOfRealImagesFromTheirHeaders) {
  const auto& image = PhraseImage();
  for (const TextImageFormat format :
       {TextImageFormat::kPng, TextImageFormat::kJpeg, TextImageFormat::kTiff,
        TextImageFormat::kWebp, TextImageFormat::kPnm, TextImageFormat::kGif}) {
    SCOPED_TRACE(static_cast<int>(format));
    const std::string bytes = EncodeImage(image, format);
    ASSERT_TRUE(IsReadableImage(bytes));
    const auto header = ReadImageHeader(bytes, 0);
    ASSERT_TRUE(header.has_value());
    EXPECT_EQ(header->width, image.width);
    EXPECT_EQ(header->height, image.height);
    EXPECT_GE(header->decoded_pixels, static_cast<uint64_t>(image.width) * image.height);
    EXPECT_FALSE(ReadImageHeader(bytes, 1).has_value()) << "one page only";
    const PixPtr pix = DecodeImage(bytes, *header, 0);
    EXPECT_NE(pix, nullptr);
  }
}

TEST(OcrImageTest, CountsThePagesOfAMultipageTiff) {
  const archivum::testing::GrayImage page =
      archivum::testing::RenderTextImage({.text = "Page", .page_width = 300, .page_height = 100});
  const std::string tiff = EncodeMultipageTiff({page, page, page});
  for (int i = 0; i < 3; ++i) {
    const auto header = ReadImageHeader(tiff, i);
    ASSERT_TRUE(header.has_value()) << i;
    EXPECT_EQ(header->width, 300);
    EXPECT_EQ(header->height, 100);
  }
  EXPECT_FALSE(ReadImageHeader(tiff, 3).has_value());
}

TEST(OcrImageTest, AHugeDeclaredSizeIsSeenWithoutDecoding) {
  const auto png = ReadImageHeader(PngDeclaring(100'000, 100'000), 0);
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->decoded_pixels, 10'000'000'000u);

  const auto bmp = ReadImageHeader(BmpDeclaring(50'000, -40'000), 0);  // top-down rows
  ASSERT_TRUE(bmp.has_value());
  EXPECT_EQ(bmp->width, 50'000);
  EXPECT_EQ(bmp->height, 40'000);
  EXPECT_EQ(bmp->decoded_pixels, 2'000'000'000u);

  // A small screen, but frames that leptonica's reader would each decode in full.
  const std::string gif = GifDeclaring(100, 60'000);
  EXPECT_LT(gif.size(), 5'000u);
  const auto frames = ReadImageHeader(gif, 0);
  ASSERT_TRUE(frames.has_value());
  EXPECT_EQ(frames->width, 10);
  EXPECT_EQ(frames->decoded_pixels, uint64_t{100} + uint64_t{100} * 60'000 * 60'000);
}

TEST(OcrImageTest, NonImagesAndTinyInputsAreNotImages) {
  for (const std::string& bytes :
       {std::string(), std::string("GIF"), std::string("\x89PNG", 4), std::string("BM"),
        std::string("%PDF-1.4\n"), std::string("plain text, no image")}) {
    EXPECT_FALSE(IsReadableImage(bytes) && ReadImageHeader(bytes, 0).has_value()) << bytes;
  }
  EXPECT_FALSE(ReadImageHeader(BmpDeclaring(0, 10), 0).has_value());
  EXPECT_FALSE(ReadImageHeader(PngDeclaring(0, 10), 0).has_value());
}

}  // namespace
}  // namespace archivum::bundled::ocr
