// The ocr plugin's configuration (ocr/ocr_options.h): defaults, ranges, and the check that every
// language has its trained data, against Debian's tessdata directory and temporary ones.
#include "ocr/ocr_options.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "archivum/plugin.hpp"
#include "support/temp_dir.h"

namespace archivum::bundled::ocr {
namespace {

// The message of the sdk::Error that ParseOptions throws, or "" if it accepts the configuration.
std::string Refusal(std::string_view json, const char* prefix = nullptr) {
  try {
    ParseOptions(json, prefix);
    return "";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT);
    return e.what();
  }
}

TEST(OcrOptionsTest, DefaultsReadEnglishFromDebiansTessdata) {
  const Options o = ParseOptions("{}", nullptr);
  EXPECT_EQ(o.tessdata, kDebianTessdata);
  EXPECT_EQ(o.languages, std::vector<std::string>{"eng"});
  EXPECT_EQ(o.dpi, 300);
  EXPECT_EQ(o.page_timeout_ms, 60'000);
  EXPECT_EQ(o.max_pages, 200);
  EXPECT_EQ(o.page_segmentation, 3);
  EXPECT_EQ(o.max_text, uint64_t{4} << 20);
  EXPECT_EQ(o.max_pixels, 100'000'000u);
  EXPECT_GE(o.instances, 1);
}

TEST(OcrOptionsTest, ReadsEverySetting) {
  const Options o = ParseOptions(
      R"({"languages": "eng", "dpi": 150, "page_timeout": 2.5, "max_pages": 3,
          "page_segmentation": "6", "max_text": "64K", "max_megapixels": 20, "instances": 2})",
      nullptr);
  EXPECT_EQ(o.languages, std::vector<std::string>{"eng"});
  EXPECT_EQ(o.dpi, 150);
  EXPECT_EQ(o.page_timeout_ms, 2500);
  EXPECT_EQ(o.max_pages, 3);
  EXPECT_EQ(o.page_segmentation, 6);
  EXPECT_EQ(o.max_text, 64u << 10);
  EXPECT_EQ(o.max_pixels, 20'000'000u);
  EXPECT_EQ(o.instances, 2);
}

TEST(OcrOptionsTest, LanguagesComeFromAListOrJoinedWithPlus) {
  archivum::testing::TempDir dir;
  for (const char* name : {"eng", "deu", "chi_sim"}) {
    std::ofstream(dir.path() / (std::string(name) + ".traineddata")) << "x";
  }
  const std::string tessdata = dir.path().string();
  const Options list = ParseOptions(
      R"({"languages": ["eng", "deu+chi_sim", "eng"], "tessdata": ")" + tessdata + R"("})",
      nullptr);
  EXPECT_EQ(list.languages, (std::vector<std::string>{"eng", "deu", "chi_sim"}));
  EXPECT_EQ(JoinLanguages(list.languages), "eng+deu+chi_sim");
  // TESSDATA_PREFIX when the configuration names no directory.
  EXPECT_EQ(ParseOptions(R"({"languages": "deu"})", tessdata.c_str()).tessdata, tessdata);
}

TEST(OcrOptionsTest, AMissingLanguageIsNamedWithTheDirectoryAndItsPackage) {
  const std::string message = Refusal(R"({"languages": ["eng", "chi_tra"]})");
  EXPECT_NE(message.find("\"chi_tra\""), std::string::npos) << message;
  EXPECT_NE(message.find(std::string(kDebianTessdata)), std::string::npos) << message;
  EXPECT_NE(message.find("tesseract-ocr-chi-tra"), std::string::npos) << message;

  archivum::testing::TempDir dir;
  const std::string other = Refusal("{}", dir.path().string().c_str());
  EXPECT_NE(other.find("\"eng\""), std::string::npos) << other;
  EXPECT_NE(other.find(dir.path().string()), std::string::npos) << other;

  const std::string nowhere = Refusal(R"({"tessdata": "/nonexistent/tessdata"})");
  EXPECT_NE(nowhere.find("/nonexistent/tessdata"), std::string::npos) << nowhere;
}

TEST(OcrOptionsTest, RefusesMalformedValuesNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"languages": []})", "languages"},
      {R"({"languages": ["../../etc/passwd"]})", "languages"},
      {R"({"languages": ["eng+"]})", "languages"},
      {R"({"languages": [1]})", "languages"},
      {R"({"dpi": 71})", "dpi"},
      {R"({"dpi": 601})", "dpi"},
      {R"({"page_timeout": 0})", "page_timeout"},
      {R"({"page_timeout": "soon"})", "page_timeout"},
      {R"({"max_pages": 0})", "max_pages"},
      {R"({"page_segmentation": 0})", "page_segmentation"},
      {R"({"max_text": "1G1"})", "max_text"},
      {R"({"max_megapixels": 0})", "max_megapixels"},
      {R"({"instances": 0})", "instances"},
      {R"({"tessdata": ""})", "tessdata"},
      {R"({"langauges": ["eng"]})", "langauges"},
  };
  for (const auto& [json, key] : cases) {
    const std::string message = Refusal(json);
    EXPECT_NE(message.find(key), std::string::npos) << json << " -> " << message;
  }
}

}  // namespace
}  // namespace archivum::bundled::ocr
