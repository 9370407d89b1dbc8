// The image plugin's extractor on generated images: every finding of the vocabulary with known
// answers, the formats' dimensions, the thumbnail (decoded back with libwebp: size, aspect,
// orientation, a RAW's embedded preview), options, and concurrent files.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "image/image_extractor.h"
#include "image/image_reader.h"
#include "plugins_bundled/image_test_util.h"
#include "plugins_bundled/preview_util.h"
#include "support/documents/image_writer.h"

namespace archivum::bundled::image {
namespace {

using archivum::testing::CaptionSpec;
using archivum::testing::ExifSpec;
using archivum::testing::ImageContent;
using archivum::testing::ImageFormat;
using archivum::testing::ImageSpec;
using archivum::testing::MakeImage;
using archivum::testing::MakeTiffRaw;
using bundled::testing::DecodedPreview;
using bundled::testing::DecodeWebp;
using testing::Logged;
using testing::Outcome;
using testing::RecordingSink;
using testing::RunImage;
using Findings = std::vector<std::pair<std::string, std::string>>;

class ImageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitImageLibraries(); }
};

ExifSpec EiffelExif() {
  ExifSpec exif;
  exif.make = "Canon";
  exif.model = "Canon EOS R5";
  exif.lens = "RF24-105mm F4 L IS USM";
  exif.date_time_original = "2024:03:01 09:30:15";
  exif.offset_time_original = "+01:00";
  exif.date_time = "2024:05:05 12:00:00";  // a later edit: not when it was taken
  // 48° 51' 30.1" N, 2° 17' 40.2" E
  exif.gps_latitude = "48/1 51/1 301/10";
  exif.gps_latitude_ref = "N";
  exif.gps_longitude = "2/1 17/1 402/10";
  exif.gps_longitude_ref = "E";
  exif.orientation = 1;
  return exif;
}

TEST_F(ImageTest, JpegWithExifGpsXmpAndIptcHasEveryFinding) {
  ImageSpec spec;
  spec.width = 640;
  spec.height = 480;
  spec.exif = EiffelExif();
  spec.xmp = CaptionSpec{"Eiffel Tower at dusk", "Seen from the Trocadéro", {"Paris", "tower"}};
  spec.iptc = CaptionSpec{"IPTC title", "IPTC caption", {"Paris", "travel"}};
  RecordingSink sink;
  const Outcome out = RunImage(MakeImage(spec), "image/jpeg", sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  // 48 + 51/60 + 30.1/3600 = 48.8583611..., 2 + 17/60 + 40.2/3600 = 2.2945
  const Findings expected = {
      {"width", "640"},
      {"height", "480"},
      {"camera_make", "Canon"},
      {"camera_model", "Canon EOS R5"},
      {"lens", "RF24-105mm F4 L IS USM"},
      {"taken", "2024-03-01T09:30:15+01:00"},
      {"gps_lat", "48.858361"},
      {"gps_lon", "2.294500"},
      {"orientation", "1"},
      {"title", "Eiffel Tower at dusk"},
      {"description", "Seen from the Trocadéro"},
      {"keywords", "Paris, tower, travel"},  // XMP's, then IPTC's not yet listed
  };
  EXPECT_EQ(sink.finding_list, expected);
  EXPECT_EQ(sink.preview_calls, 1);
  EXPECT_EQ(sink.preview_mime, "image/webp");
  EXPECT_TRUE(sink.text.empty());
}

TEST_F(ImageTest, SouthernAndWesternCoordinatesAreNegative) {
  ImageSpec spec;
  spec.exif.gps_latitude = "33/1 51/1 5484/100";  // Sydney Opera House: 33° 51' 54.84" S
  spec.exif.gps_latitude_ref = "S";
  spec.exif.gps_longitude = "151/1 12/1 4068/100";  // 151° 12' 40.68" E
  spec.exif.gps_longitude_ref = "E";
  RecordingSink sydney;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", sydney).rc, ARCHIVUM_OK);
  EXPECT_EQ(sydney.findings["gps_lat"], "-33.865233");
  EXPECT_EQ(sydney.findings["gps_lon"], "151.211300");

  spec.exif.gps_latitude = "40/1 41/1 2112/100";  // Statue of Liberty: 40° 41' 21.12" N
  spec.exif.gps_latitude_ref = "N";
  spec.exif.gps_longitude = "74/1 2/1 4008/100";  // 74° 2' 40.08" W
  spec.exif.gps_longitude_ref = "W";
  RecordingSink liberty;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", liberty).rc, ARCHIVUM_OK);
  EXPECT_EQ(liberty.findings["gps_lat"], "40.689200");
  EXPECT_EQ(liberty.findings["gps_lon"], "-74.044467");
}

TEST_F(ImageTest, APositionWithoutItsReferenceIsNotGuessed) {
  ImageSpec spec;
  spec.exif.gps_latitude = "48/1 51/1 301/10";
  spec.exif.gps_longitude = "2/1 17/1 402/10";
  spec.exif.gps_longitude_ref = "E";  // the latitude's hemisphere is not stated
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", sink).rc, ARCHIVUM_OK);
  EXPECT_FALSE(sink.findings.contains("gps_lat"));
  EXPECT_FALSE(sink.findings.contains("gps_lon"));
}

TEST_F(ImageTest, TakenFallsBackToDigitizedButNeverToTheChangeTime) {
  ImageSpec digitized;
  digitized.exif.date_time_digitized = "2023:12:24 18:00:00";
  digitized.exif.date_time = "2024:01:01 00:00:00";
  RecordingSink a;
  ASSERT_EQ(RunImage(MakeImage(digitized), "image/jpeg", a).rc, ARCHIVUM_OK);
  EXPECT_EQ(a.findings["taken"], "2023-12-24T18:00:00");  // no offset stated: local time

  ImageSpec changed_only;
  changed_only.exif.date_time = "2024:01:01 00:00:00";
  changed_only.exif.make = "Nikon";
  RecordingSink b;
  ASSERT_EQ(RunImage(MakeImage(changed_only), "image/jpeg", b).rc, ARCHIVUM_OK);
  EXPECT_FALSE(b.findings.contains("taken"));
  EXPECT_EQ(b.findings["camera_make"], "Nikon");

  ImageSpec unset_clock;
  unset_clock.exif.date_time_original = "0000:00:00 00:00:00";
  RecordingSink c;
  ASSERT_EQ(RunImage(MakeImage(unset_clock), "image/jpeg", c).rc, ARCHIVUM_OK);
  EXPECT_FALSE(c.findings.contains("taken"));
}

TEST_F(ImageTest, IptcAloneGivesTitleDescriptionAndKeywords) {
  ImageSpec spec;
  spec.iptc = CaptionSpec{"Harbour", "Boats  in the\nmorning", {"sea", "boats", "sea"}};
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings["title"], "Harbour");
  EXPECT_EQ(sink.findings["description"], "Boats in the morning");  // one line
  EXPECT_EQ(sink.findings["keywords"], "sea, boats");               // duplicates once
}

TEST_F(ImageTest, AJpegWithoutMetadataHasOnlyItsSize) {
  ImageSpec spec;
  spec.width = 300;
  spec.height = 200;
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.finding_list, (Findings{{"width", "300"}, {"height", "200"}}));
  EXPECT_EQ(sink.preview_calls, 1);
}

TEST_F(ImageTest, EveryFormatStatesItsSizeAndGetsAThumbnail) {
  struct Case {
    ImageFormat format;
    const char* mime;
    const char* path;
  };
  const Case cases[] = {
      {ImageFormat::kPng, "image/png", "/p/a.png"},
      {ImageFormat::kTiff, "image/tiff", "/p/a.tif"},
      {ImageFormat::kWebp, "image/webp", "/p/a.webp"},
      {ImageFormat::kGif, "image/gif", "/p/a.gif"},
      {ImageFormat::kHeic, "image/heic", "/p/a.heic"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mime);
    ImageSpec spec;
    spec.format = c.format;
    spec.width = 320;
    spec.height = 240;
    RecordingSink sink;
    const Outcome out = RunImage(MakeImage(spec), c.mime, sink, {}, c.path);
    ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
    EXPECT_EQ(sink.findings["width"], "320");
    EXPECT_EQ(sink.findings["height"], "240");
    const DecodedPreview preview = DecodeWebp(sink.preview);
    ASSERT_TRUE(preview.ok);
    EXPECT_EQ(preview.width, 256);
    EXPECT_EQ(preview.height, 192);
  }
}

TEST_F(ImageTest, PngTiffAndWebpCarryTheirMetadata) {
  for (const ImageFormat format : {ImageFormat::kPng, ImageFormat::kTiff, ImageFormat::kWebp}) {
    SCOPED_TRACE(static_cast<int>(format));
    ImageSpec spec;
    spec.format = format;
    spec.exif.make = "FUJIFILM";
    spec.exif.date_time_original = "2022:07:14 21:05:00";
    spec.xmp.title = "Fireworks";
    spec.xmp.keywords = {"night"};
    RecordingSink sink;
    ASSERT_EQ(RunImage(MakeImage(spec), "image/x", sink).rc, ARCHIVUM_OK);
    EXPECT_EQ(sink.findings["camera_make"], "FUJIFILM");
    EXPECT_EQ(sink.findings["taken"], "2022-07-14T21:05:00");
    EXPECT_EQ(sink.findings["title"], "Fireworks");
    EXPECT_EQ(sink.findings["keywords"], "night");
  }
}

TEST_F(ImageTest, HeicExifIsRead) {
  ImageSpec spec;
  spec.format = ImageFormat::kHeic;
  spec.width = 128;
  spec.height = 96;
  spec.exif.make = "Apple";
  spec.exif.model = "iPhone 15";
  RecordingSink sink;
  const Outcome out = RunImage(MakeImage(spec), "image/heic", sink, {}, "/p/IMG_0001.HEIC");
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.findings["width"], "128");
  EXPECT_EQ(sink.findings["height"], "96");
  EXPECT_EQ(sink.findings["camera_make"], "Apple");
  EXPECT_EQ(sink.findings["camera_model"], "iPhone 15");
}

TEST_F(ImageTest, ALargePhotoGetsA256PixelThumbnailWithItsAspect) {
  ImageSpec spec;
  spec.width = 4000;
  spec.height = 3000;
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings["width"], "4000");
  const DecodedPreview preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.width, 256);
  EXPECT_EQ(preview.height, 192);
  EXPECT_LE(sink.preview.size(), size_t{512} << 10);

  spec.width = 1000;  // portrait
  spec.height = 4000;
  RecordingSink tall;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", tall).rc, ARCHIVUM_OK);
  const DecodedPreview tall_preview = DecodeWebp(tall.preview);
  ASSERT_TRUE(tall_preview.ok);
  EXPECT_EQ(tall_preview.width, 64);
  EXPECT_EQ(tall_preview.height, 256);
}

TEST_F(ImageTest, ASmallImageIsNeverEnlarged) {
  ImageSpec spec;
  spec.format = ImageFormat::kPng;
  spec.width = 40;
  spec.height = 30;
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/png", sink).rc, ARCHIVUM_OK);
  const DecodedPreview preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.width, 40);
  EXPECT_EQ(preview.height, 30);
}

TEST_F(ImageTest, TheThumbnailIsUpright) {
  // Orientation 6: the camera was turned clockwise; viewers rotate the stored pixels 90° clockwise,
  // so the stored left half (red) ends up on top.
  ImageSpec spec;
  spec.width = 400;
  spec.height = 300;
  spec.content = ImageContent::kLeftRedRightBlue;
  spec.exif.orientation = 6;
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings["orientation"], "6");
  EXPECT_EQ(sink.findings["width"], "400");  // the stored image's size
  const DecodedPreview preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.width, 192);
  EXPECT_EQ(preview.height, 256);
  EXPECT_TRUE(DecodedPreview::Red(preview.At(96, 20)));
  EXPECT_TRUE(DecodedPreview::Blue(preview.At(96, 236)));

  spec.exif.orientation = 1;
  RecordingSink upright;
  ASSERT_EQ(RunImage(MakeImage(spec), "image/jpeg", upright).rc, ARCHIVUM_OK);
  const DecodedPreview same = DecodeWebp(upright.preview);
  ASSERT_TRUE(same.ok);
  EXPECT_EQ(same.width, 256);
  EXPECT_TRUE(DecodedPreview::Red(same.At(20, 96)));
  EXPECT_TRUE(DecodedPreview::Blue(same.At(236, 96)));
}

TEST_F(ImageTest, ARawThumbnailComesFromItsEmbeddedPreviewTurnedUpright) {
  // A TIFF-based RAW as a NEF is: the main image is a gradient, the embedded preview solid green.
  ImageSpec spec;
  spec.width = 320;
  spec.height = 240;
  spec.exif.make = "NIKON CORPORATION";
  spec.exif.model = "NIKON Z 6";
  spec.exif.orientation = 8;  // turned counter-clockwise: 240 x 320 upright
  spec.embedded_preview_width = 160;
  spec.embedded_preview_height = 120;
  spec.embedded_preview_content = ImageContent::kGreen;
  RecordingSink sink;
  const Outcome out =
      RunImage(MakeTiffRaw(spec), "image/x-nikon-nef", sink, {}, "/raw/DSC_0001.NEF");
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.findings["camera_make"], "NIKON CORPORATION");
  EXPECT_EQ(sink.findings["width"], "320");
  EXPECT_EQ(sink.findings["height"], "240");
  const DecodedPreview preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.width, 120);  // the preview's 160 x 120, turned
  EXPECT_EQ(preview.height, 160);
  EXPECT_TRUE(DecodedPreview::Green(preview.At(60, 80)));

  // The same bytes labeled as a plain TIFF: the main image is the thumbnail's source.
  RecordingSink tiff;
  ASSERT_EQ(RunImage(MakeTiffRaw(spec), "image/tiff", tiff).rc, ARCHIVUM_OK);
  const DecodedPreview gradient = DecodeWebp(tiff.preview);
  ASSERT_TRUE(gradient.ok);
  EXPECT_FALSE(DecodedPreview::Green(gradient.At(gradient.width / 2, gradient.height / 2)));
}

TEST_F(ImageTest, ARawWithoutAnEmbeddedPreviewHasMetadataButNoThumbnail) {
  ImageSpec spec;
  spec.exif.make = "SONY";
  RecordingSink sink;
  ASSERT_EQ(RunImage(MakeTiffRaw(spec), "image/x-sony-arw", sink, {}, "/raw/a.arw").rc,
            ARCHIVUM_OK);
  EXPECT_EQ(sink.findings["camera_make"], "SONY");
  EXPECT_EQ(sink.preview_calls, 0);
  EXPECT_TRUE(Logged(sink, "embeds no preview"));
}

TEST_F(ImageTest, ThumbnailsCanBeTurnedOffAndBounded) {
  ImageSpec spec;
  spec.width = 200;
  spec.height = 100;
  const std::string jpeg = MakeImage(spec);

  Options off;
  off.thumbnails = false;
  RecordingSink a;
  ASSERT_EQ(RunImage(jpeg, "image/jpeg", a, off).rc, ARCHIVUM_OK);
  EXPECT_EQ(a.preview_calls, 0);
  EXPECT_EQ(a.findings["width"], "200");

  Options few_pixels;
  few_pixels.max_thumbnail_pixels = 200 * 100 - 1;
  RecordingSink b;
  ASSERT_EQ(RunImage(jpeg, "image/jpeg", b, few_pixels).rc, ARCHIVUM_OK);
  EXPECT_EQ(b.preview_calls, 0);
  EXPECT_TRUE(Logged(b, "max_thumbnail_pixels"));

  Options few_bytes;
  few_bytes.max_thumbnail_input = jpeg.size() - 1;
  RecordingSink c;
  ASSERT_EQ(RunImage(jpeg, "image/jpeg", c, few_bytes).rc, ARCHIVUM_OK);
  EXPECT_EQ(c.preview_calls, 0);
  EXPECT_TRUE(Logged(c, "max_thumbnail_input"));
}

TEST_F(ImageTest, OptionsAreParsedAndCheckedByName) {
  const Options o = ParseOptions(
      R"({"thumbnails": "false", "max_thumbnail_input": "8M", "max_thumbnail_pixels": 5000000})");
  EXPECT_FALSE(o.thumbnails);
  EXPECT_EQ(o.max_thumbnail_input, uint64_t{8} << 20);
  EXPECT_EQ(o.max_thumbnail_pixels, 5000000u);
  const Options defaults = ParseOptions("{}");
  EXPECT_TRUE(defaults.thumbnails);
  EXPECT_EQ(defaults.max_thumbnail_pixels, 100000000u);
  for (const char* bad : {R"({"thumbnail": true})", R"({"max_thumbnail_pixels": 0})",
                          R"({"max_thumbnail_input": "lots"})"}) {
    try {
      ParseOptions(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT) << bad;
    }
  }
}

TEST_F(ImageTest, CancellationStopsTheFile) {
  bundled::testing::TestFile file("/p/a.jpg", MakeImage({}), "image/jpeg");
  file.CancelAfter(0);
  RecordingSink sink;
  EXPECT_EQ(RunImage(file, sink).rc, ARCHIVUM_CANCELLED);
  EXPECT_EQ(sink.preview_calls, 0);
}

TEST_F(ImageTest, ConcurrentFilesKeepTheirOwnAnswers) {
  std::vector<std::string> files;
  for (int i = 0; i < 4; ++i) {
    ImageSpec spec;
    spec.format = i % 2 == 0 ? ImageFormat::kJpeg : ImageFormat::kPng;
    spec.width = 100 + i;
    spec.height = 50;
    spec.exif.model = "Model " + std::to_string(i);
    spec.xmp.title = "Title " + std::to_string(i);
    files.push_back(MakeImage(spec));
  }
  std::vector<std::string> failures(files.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < files.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 8; ++round) {
        RecordingSink sink;
        const Outcome out = RunImage(files[i], "image/x", sink);
        if (out.rc != ARCHIVUM_OK || sink.findings["width"] != std::to_string(100 + i) ||
            sink.findings["camera_model"] != "Model " + std::to_string(i) ||
            sink.findings["title"] != "Title " + std::to_string(i) || sink.preview_calls != 1) {
          failures[i] =
              "file " + std::to_string(i) + " round " + std::to_string(round) + ": " + out.error;
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
}

}  // namespace
}  // namespace archivum::bundled::image
