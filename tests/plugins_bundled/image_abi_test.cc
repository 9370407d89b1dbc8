// The built image plugin module through the C ABI, as the host uses it: dlopen, the entry symbol,
// create() with a config, process() into a sink (findings and the ABI 1.4 preview), last_error()
// and destroy().
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/preview_util.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/image_writer.h"

namespace archivum::bundled {
namespace {

using archivum::testing::ImageSpec;
using archivum::testing::MakeImage;
using testing::AbiString;
using testing::DecodeWebp;
using testing::LoadedModule;
using testing::RecordingSink;
using testing::TestFile;

TEST(ImageAbiTest, DescriptorDeclaresAThreadSafeExtractorOfImagesAndRaws) {
  LoadedModule module(ARCHIVUM_IMAGE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "image");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE);
  std::vector<std::string> accepted;
  for (size_t i = 0; i < d.accept_count; ++i) accepted.push_back(AbiString(d.accept[i]));
  for (const char* mime :
       {"image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/heic",
        "image/heif", "image/x-canon-cr2", "image/x-canon-cr3", "image/x-nikon-nef",
        "image/x-sony-arw", "image/x-adobe-dng", "image/x-olympus-orf", "image/x-panasonic-rw2",
        "image/x-fuji-raf", "image/x-pentax-pef", "image/x-samsung-srw"}) {
    EXPECT_NE(std::find(accepted.begin(), accepted.end(), mime), accepted.end()) << mime;
  }
  EXPECT_EQ(d.query, nullptr);
  EXPECT_EQ(d.max_file_size, 0u) << "a large image still gets its metadata";
}

TEST(ImageAbiTest, AnUnknownSettingIsRefused) {
  LoadedModule module(ARCHIVUM_IMAGE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"thumbnail_size": 512})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(module.error().find("thumbnail_size"), std::string::npos) << module.error();
}

TEST(ImageAbiTest, ProcessesImagesThroughTheAbi) {
  LoadedModule module(ARCHIVUM_IMAGE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();

  ImageSpec spec;
  spec.width = 1024;
  spec.height = 768;
  spec.exif.make = "OLYMPUS";
  spec.exif.date_time_original = "2021:08:15 06:45:00";
  spec.exif.offset_time_original = "+09:00";
  spec.exif.gps_latitude = "35/1 21/1 3816/100";  // Mount Fuji: 35° 21' 38.16" N
  spec.exif.gps_latitude_ref = "N";
  spec.exif.gps_longitude = "138/1 43/1 3000/100";  // 138° 43' 30" E
  spec.exif.gps_longitude_ref = "E";
  spec.xmp.title = "Sunrise";
  TestFile photo("/photos/fuji.jpg", MakeImage(spec), "image/jpeg");
  RecordingSink sink;
  ASSERT_EQ(module.Process(photo, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.findings["width"], "1024");
  EXPECT_EQ(sink.findings["height"], "768");
  EXPECT_EQ(sink.findings["camera_make"], "OLYMPUS");
  EXPECT_EQ(sink.findings["taken"], "2021-08-15T06:45:00+09:00");
  EXPECT_EQ(sink.findings["gps_lat"], "35.360600");
  EXPECT_EQ(sink.findings["gps_lon"], "138.725000");
  EXPECT_EQ(sink.findings["title"], "Sunrise");
  ASSERT_EQ(sink.preview_calls, 1);
  EXPECT_EQ(sink.preview_mime, "image/webp");
  const auto preview = DecodeWebp(sink.preview);
  ASSERT_TRUE(preview.ok);
  EXPECT_EQ(preview.width, 256);
  EXPECT_EQ(preview.height, 192);

  TestFile garbage("/photos/broken.jpg", std::string(4096, '\x7f'), "image/jpeg");
  RecordingSink garbage_sink;
  EXPECT_EQ(module.Process(garbage, garbage_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module.error().rfind("not a readable image/jpeg: ", 0), 0u) << module.error();

  TestFile cancelled("/photos/fuji.jpg", MakeImage(spec), "image/jpeg");
  cancelled.CancelAfter(0);
  RecordingSink cancelled_sink;
  EXPECT_EQ(module.Process(cancelled, cancelled_sink), ARCHIVUM_CANCELLED);
}

TEST(ImageAbiTest, ThumbnailsOffMeansNoPreview) {
  LoadedModule module(ARCHIVUM_IMAGE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create(R"({"thumbnails": false})"), ARCHIVUM_OK) << module.error();
  TestFile photo("/photos/a.png", MakeImage({.format = archivum::testing::ImageFormat::kPng}),
                 "image/png");
  RecordingSink sink;
  ASSERT_EQ(module.Process(photo, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.findings["width"], "64");
  EXPECT_EQ(sink.preview_calls, 0);
}

TEST(ImageAbiTest, ConcurrentCallsOnOneStateAreSafe) {
  LoadedModule module(ARCHIVUM_IMAGE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  ImageSpec spec;
  spec.xmp.title = "Same";
  spec.exif.model = "X100V";
  const std::string jpeg = MakeImage(spec);
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < errors.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        TestFile file("/photos/same.jpg", jpeg, "image/jpeg");
        RecordingSink sink;
        std::string error;
        if (module.ProcessConcurrently(file, sink, &error) != ARCHIVUM_OK ||
            sink.findings["title"] != "Same" || sink.findings["camera_model"] != "X100V" ||
            sink.preview_calls != 1) {
          errors[t] = "call " + std::to_string(i) + ": " + error;
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
}

}  // namespace
}  // namespace archivum::bundled
