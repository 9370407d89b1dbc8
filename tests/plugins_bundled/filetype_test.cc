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
  EXPECT_EQ(ParseOptions("{}").cache_entries, 4096u);
  EXPECT_EQ(ParseOptions(R"({"cache": 0})").cache_entries, 0u);
  EXPECT_EQ(ParseOptions(R"({"cache": "100"})").cache_entries, 100u);
}

TEST(FiletypeTest, RefusesBadConfig) {
  for (const char* bad :
       {R"({"bytes": 0})", R"({"bytes": -5})", R"({"bytes": "lots"})", R"({"bytes": 1.5})",
        R"({"byte": 10})", "[1]", "{not json", R"({"cache": -1})", R"({"cache": 1.5})",
        R"({"cache": 2000000})", R"({"cache": "many"})"}) {
    try {
      ParseOptions(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT) << bad;
      EXPECT_NE(std::string(e.what()).find("config"), std::string::npos) << e.what();
    }
  }
}

// Every field, for comparing a cached answer with libmagic's own.
void ExpectSame(const Detection& a, const Detection& b, const std::string& what) {
  EXPECT_EQ(a.mime, b.mime) << what;
  EXPECT_EQ(a.encoding, b.encoding) << what;
  EXPECT_EQ(a.description, b.description) << what;
}

TEST(FiletypeTest, CopiesGetLibmagicsAnswerFromTheCache) {
  const std::vector<std::string> contents = {kPng,
                                             kPdf,
                                             kGzip,
                                             "",
                                             "hello world\nsecond line\n",
                                             "caf\xc3\xa9 cr\xc3\xa8me\n",
                                             "#include <stdio.h>\nint main(void) { return 0; }\n"};
  for (const Describe describe : {Describe::kNonText, Describe::kAlways}) {
    const Detector uncached{Options{.description = describe, .cache_entries = 0}};
    const Detector cached{Options{.description = describe}};
    for (int round = 0; round < 2; ++round) {
      for (const std::string& content : contents) {
        ExpectSame(cached.Detect(content), uncached.Detect(content),
                   "round " + std::to_string(round) + ": " + uncached.Detect(content).mime);
      }
    }
    const CacheStats stats = cached.cache_stats();
    EXPECT_EQ(stats.misses, contents.size()) << "the first round runs libmagic on each";
    EXPECT_EQ(stats.hits, contents.size()) << "the second round is served from the cache";
    EXPECT_EQ(stats.entries, contents.size());
    EXPECT_EQ(uncached.cache_stats().hits + uncached.cache_stats().misses, 0u);
  }
}

TEST(FiletypeTest, TheCacheKeysOnTheExaminedBytesOnly) {
  // With 32 bytes examined, contents that differ only after them are the same to libmagic.
  const Options options{.bytes = 32};
  const Detector detector{options};
  const std::string text_head(32, 'a');
  const std::string binary_tail = "\x00\x01\x02\x03\xff\xfe"s;
  const Detection first = detector.Detect(text_head + "\nmore text\n");
  const Detection second = detector.Detect(text_head + binary_tail);
  EXPECT_EQ(first.mime, "text/plain");
  ExpectSame(second, first, "same examined bytes");
  EXPECT_EQ(detector.cache_stats().hits, 1u);
  // One examined byte different: examined again.
  const Detection third = detector.Detect(std::string(31, 'a') + "\xff" + binary_tail);
  ExpectSame(third,
             Detector(Options{.bytes = 32, .cache_entries = 0})
                 .Detect(std::string(31, 'a') + "\xff" + binary_tail),
             "one byte different");
  EXPECT_EQ(detector.cache_stats().misses, 2u);
}

TEST(FiletypeTest, TheCacheDropsTheLeastRecentlyUsed) {
  const Detector detector{Options{.cache_entries = 2}};
  detector.Detect(kPng);                                     // miss
  detector.Detect(kPdf);                                     // miss
  detector.Detect(kPng);                                     // hit: the PNG is now the most recent
  detector.Detect(kGzip);                                    // miss: evicts the PDF
  detector.Detect(kPng);                                     // hit
  EXPECT_EQ(detector.Detect(kPdf).mime, "application/pdf");  // miss again
  const CacheStats stats = detector.cache_stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 4u);
  EXPECT_EQ(stats.entries, 2u);
}

TEST(FiletypeTest, ConcurrentCallersGetConsistentResults) {
  // Without the cache, so that the callers share the pool of libmagic handles.
  const Detector detector{Options{.cache_entries = 0}};
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

TEST(FiletypeTest, ConcurrentCallersShareTheCache) {
  const Detector detector{Options{}};
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string content = "file " + std::to_string(i % 5) + "\n";
        if (detector.Detect(i % 2 == 0 ? kPng : content).mime !=
            (i % 2 == 0 ? "image/png" : "text/plain")) {
          ++wrong[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
  const CacheStats stats = detector.cache_stats();
  EXPECT_EQ(stats.hits + stats.misses, 100u);
  EXPECT_EQ(stats.entries, 6u);  // the PNG and five texts
}

}  // namespace
}  // namespace archivum::bundled::filetype

namespace archivum::bundled::filetype {
namespace {

TEST(FiletypeNameTest, ADocumentExtensionDecidesOnlyWhenLibmagicKnowsNothingOrOnlyAZip) {
  EXPECT_EQ(MimeFromName("application/octet-stream", "/x/Report.PDF"), "application/pdf");
  EXPECT_EQ(MimeFromName("application/octet-stream", "notes.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(MimeFromName("application/x-empty", "a.epub"), "application/epub+zip");
  EXPECT_EQ(MimeFromName("application/zip", "book.odt"), "application/vnd.oasis.opendocument.text");
  // A ZIP named .pdf is still a ZIP; a recognized type is never overridden.
  EXPECT_EQ(MimeFromName("application/zip", "x.pdf"), std::nullopt);
  EXPECT_EQ(MimeFromName("image/png", "x.pdf"), std::nullopt);
  EXPECT_EQ(MimeFromName("application/octet-stream", "x.bin"), std::nullopt);
  EXPECT_EQ(MimeFromName("application/octet-stream", ".pdf"), std::nullopt);
  EXPECT_EQ(MimeFromName("application/octet-stream", "dir.pdf/x"), std::nullopt);
}

TEST(FiletypeNameTest, ARawExtensionRefinesTiffOrNothingIntoTheCameraFormat) {
  // NEF, ARW, DNG, PEF and SRW are TIFF files to libmagic; CR3 and RW2 are nothing it knows.
  EXPECT_EQ(MimeFromName("image/tiff", "/photos/DSC_0001.NEF"), "image/x-nikon-nef");
  EXPECT_EQ(MimeFromName("image/tiff", "a.arw"), "image/x-sony-arw");
  EXPECT_EQ(MimeFromName("image/tiff", "a.dng"), "image/x-adobe-dng");
  EXPECT_EQ(MimeFromName("image/tiff", "a.pef"), "image/x-pentax-pef");
  EXPECT_EQ(MimeFromName("image/tiff", "a.srw"), "image/x-samsung-srw");
  EXPECT_EQ(MimeFromName("application/octet-stream", "IMG_0001.CR3"), "image/x-canon-cr3");
  EXPECT_EQ(MimeFromName("application/octet-stream", "P1000001.RW2"), "image/x-panasonic-rw2");
  // A TIFF keeps its type under any other name; a ZIP named .nef is still a ZIP.
  EXPECT_EQ(MimeFromName("image/tiff", "scan.tif"), std::nullopt);
  EXPECT_EQ(MimeFromName("image/tiff", "scan.pdf"), std::nullopt);
  EXPECT_EQ(MimeFromName("application/zip", "a.nef"), std::nullopt);
  EXPECT_EQ(MimeFromName("image/jpeg", "a.nef"), std::nullopt);
}

}  // namespace
}  // namespace archivum::bundled::filetype
