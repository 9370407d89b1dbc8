// The filetype plugin's detector on real file headers.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.hpp"
#include "filetype/filetype_analyzer.h"

namespace archivum::bundled::filetype {
namespace {

using namespace std::string_literals;

// A complete 1x1 RGBA PNG header (signature + IHDR chunk with its CRC).
const std::string kPng =
    "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    "\x1f\x15\xc4\x89"s;
const std::string kPdf = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n";
const std::string kGzip = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"s;

TEST(FiletypeTest, DetectsPng) {
  const Detector detector{Options{}};
  const Detection d = detector.Detect(kPng);
  EXPECT_EQ(d.mime, "image/png");
  EXPECT_EQ(d.encoding, "binary");
  EXPECT_NE(d.description.find("PNG image data"), std::string::npos) << d.description;
}

TEST(FiletypeTest, DetectsPdf) {
  const Detector detector{Options{}};
  const Detection d = detector.Detect(kPdf);
  EXPECT_EQ(d.mime, "application/pdf");
  EXPECT_NE(d.description.find("PDF document"), std::string::npos) << d.description;
}

TEST(FiletypeTest, DetectsPlainText) {
  const Detector detector{Options{}};
  const Detection d = detector.Detect("hello world\nsecond line\n");
  EXPECT_EQ(d.mime, "text/plain");
  EXPECT_EQ(d.encoding, "us-ascii");
  // By default text files get no description (a second libmagic pass for little news).
  EXPECT_EQ(d.description, "");
  EXPECT_EQ(Detector(Options{.description = Describe::kAlways}).Detect("hello world\n").description,
            "ASCII text");
}

TEST(FiletypeTest, DetectsUtf8Text) {
  const Detector detector{Options{}};
  const Detection d = detector.Detect("caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65\n");
  EXPECT_EQ(d.mime, "text/plain");
  EXPECT_EQ(d.encoding, "utf-8");
}

TEST(FiletypeTest, DetectsGzip) {
  const Detector detector{Options{}};
  const Detection d = detector.Detect(kGzip);
  EXPECT_EQ(d.mime, "application/gzip");
  EXPECT_NE(d.description.find("gzip compressed data"), std::string::npos) << d.description;
}

TEST(FiletypeTest, DetectsEmptyInput) {
  const Detector detector{Options{}};
  const Detection d = detector.Detect("");
  EXPECT_EQ(d.mime, "application/x-empty");
  EXPECT_EQ(d.description, "empty");
}

TEST(FiletypeTest, DescriptionsAreValidUtf8) {
  // Bytes >= 0x80 inside a string libmagic prints must not reach the host raw.
  const Detector detector{Options{}};
  const Detection d = detector.Detect("\xff\xfe\xfd\xfc\x80\x81garbage\x00\x01"s);
  EXPECT_FALSE(d.mime.empty());
  for (unsigned char c : d.description) EXPECT_LT(c, 0x80) << d.description;
}

TEST(FiletypeTest, OnlyTheConfiguredLeadingBytesAreExamined) {
  // Text for the first 64 bytes, binary after: the verdict depends on how much libmagic sees.
  // (Not NUL bytes alone: libmagic ignores a trailing run of them.)
  std::string content = std::string(64, 'a') + "\n";
  for (int i = 0; i < 512; ++i) content += "\x00\x01\x02\x03\xff\xfe"s;
  EXPECT_EQ(Detector(Options{}).Detect(content).mime, "application/octet-stream");
  EXPECT_EQ(Detector(Options{.bytes = 32}).Detect(content).mime, "text/plain");
}

TEST(FiletypeTest, DescriptionPolicyNeverChangesTheType) {
  for (const std::string& content : {std::string("hello world\nsecond line\n"), kPng}) {
    const Detection always = Detector(Options{.description = Describe::kAlways}).Detect(content);
    const Detection non_text = Detector(Options{}).Detect(content);
    const Detection never = Detector(Options{.description = Describe::kNever}).Detect(content);
    EXPECT_FALSE(always.description.empty());
    EXPECT_EQ(never.description, "");
    // The default describes binary formats only.
    EXPECT_EQ(non_text.description.empty(), always.mime.starts_with("text/")) << always.mime;
    for (const Detection* d : {&non_text, &never}) {
      EXPECT_EQ(d->mime, always.mime);
      EXPECT_EQ(d->encoding, always.encoding);
    }
  }
}

TEST(FiletypeTest, ParsesConfig) {
  EXPECT_EQ(ParseOptions("{}").description, Describe::kNonText);
  EXPECT_EQ(ParseOptions(R"({"description": "always"})").description, Describe::kAlways);
  EXPECT_EQ(ParseOptions(R"({"description": "never"})").description, Describe::kNever);
  EXPECT_EQ(ParseOptions(R"({"description": false})").description, Describe::kNever);
  EXPECT_EQ(ParseOptions(R"({"description": "true"})").description,
            Describe::kAlways);  // as YAML passes it
  EXPECT_THROW(ParseOptions(R"({"description": "no way"})"), sdk::Error);
  EXPECT_THROW(ParseOptions(R"({"description": 3})"), sdk::Error);
  EXPECT_EQ(ParseOptions("{}").bytes, 1048576u);
  EXPECT_EQ(ParseOptions("").bytes, 1048576u);
  EXPECT_EQ(ParseOptions(R"({"bytes": 4096})").bytes, 4096u);
  EXPECT_EQ(ParseOptions(R"({"bytes": "2M"})").bytes, 2u << 20);  // as YAML passes `bytes: 2M`
}

TEST(FiletypeTest, RefusesBadConfig) {
  for (const char* bad : {R"({"bytes": 0})", R"({"bytes": -5})", R"({"bytes": "lots"})",
                          R"({"bytes": 1.5})", R"({"byte": 10})", "[1]", "{not json"}) {
    try {
      ParseOptions(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT) << bad;
      EXPECT_NE(std::string(e.what()).find("config"), std::string::npos) << e.what();
    }
  }
}

TEST(FiletypeTest, ConcurrentCallersGetConsistentResults) {
  const Detector detector{Options{}};
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const bool png = (t + i) % 2 == 0;
        const Detection d = detector.Detect(png ? kPng : kPdf);
        if (d.mime != (png ? "image/png" : "application/pdf")) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace archivum::bundled::filetype
