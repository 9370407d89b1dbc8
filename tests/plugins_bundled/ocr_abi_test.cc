// The built ocr plugin module through the raw C ABI, as the host drives it: dlopen, the entry
// symbol, create() with a configuration, process() into a recording sink, last_error(), destroy().
// Real images of printed words and scanned PDFs, generated in code (support/documents).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/ocr_test_util.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/pdf_writer.h"
#include "support/documents/text_image.h"

namespace archivum::bundled::ocr {
namespace {

using archivum::testing::EncodeImage;
using archivum::testing::EncodeMultipageTiff;
using archivum::testing::EncodeTransparentPng;
using archivum::testing::GrayImage;
using archivum::testing::MakePdf;
using archivum::testing::PdfFixture;
using archivum::testing::PdfScannedPage;
using archivum::testing::ReadPdfFixture;
using archivum::testing::RenderTextImage;
using archivum::testing::TextImageFormat;
using bundled::testing::AbiString;
using bundled::testing::LoadedModule;
using bundled::testing::RecordingSink;
using bundled::testing::TestFile;
using testing::HasWords;
using testing::kOtherPhrase;
using testing::kOtherPhraseWords;
using testing::kPhraseWords;
using testing::PhraseImage;
using testing::PhrasePng;

PdfScannedPage Scan(const GrayImage& image) {
  return {.width = image.width, .height = image.height, .gray = image.pixels, .dpi = 300};
}

// One module created with the default configuration, shared by the tests of the suite (creating
// one loads tesseract's trained data: a few tenths of a second).
class OcrAbiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    module_ = new LoadedModule(ARCHIVUM_OCR_PLUGIN);
    ASSERT_TRUE(module_->loaded()) << module_->error();
    ASSERT_EQ(module_->Create("{}"), ARCHIVUM_OK) << module_->error();
  }
  static void TearDownTestSuite() {
    delete module_;
    module_ = nullptr;
  }
  static LoadedModule& module() { return *module_; }

 private:
  static LoadedModule* module_;
};
LoadedModule* OcrAbiTest::module_ = nullptr;

TEST(OcrDescriptorTest, DeclaresAThreadSafeOptInExtractorOfImagesAndPdf) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "ocr");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.struct_size, sizeof(archivum_plugin_descriptor));
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE | ARCHIVUM_FLAG_OPT_IN) << "off unless enabled";
  std::vector<std::string> accept;
  for (size_t i = 0; i < d.accept_count; ++i) accept.push_back(AbiString(d.accept[i]));
  for (const char* type : {"image/png", "image/jpeg", "image/tiff", "image/webp", "image/gif",
                           "image/bmp", "image/x-portable-*", "application/pdf"}) {
    EXPECT_NE(std::find(accept.begin(), accept.end(), type), accept.end()) << type;
  }
  ASSERT_EQ(d.path_key_count, 1u);
  EXPECT_EQ(AbiString(d.path_keys[0]), "tessdata");
  ASSERT_EQ(d.tuning_key_count, 1u);
  EXPECT_EQ(AbiString(d.tuning_keys[0]), "instances");
  EXPECT_EQ(d.query, nullptr);
  EXPECT_EQ(d.flush, nullptr);
}

TEST_F(OcrAbiTest, RecognizesTheWordsOfAnImageAsOcrText) {
  TestFile png("/scans/phrase.png", PhrasePng(), "image/png");
  RecordingSink sink;
  ASSERT_EQ(module().Process(png, sink), ARCHIVUM_OK) << module().error();
  EXPECT_TRUE(HasWords(sink.text_by_kind["ocr"], kPhraseWords));
  EXPECT_EQ(sink.text, sink.text_by_kind["ocr"]) << "all of the text is marked as OCR text";
  EXPECT_EQ(sink.findings["ocr_pages"], "1");
  ASSERT_EQ(sink.findings.count("ocr_confidence"), 1u);
  const int confidence = std::stoi(sink.findings["ocr_confidence"]);
  EXPECT_GE(confidence, 70) << "a clean 300 dpi line is read with high confidence";
  EXPECT_LE(confidence, 100);
  EXPECT_EQ(sink.findings.count("ocr_timeout"), 0u);
  EXPECT_EQ(sink.findings.count("truncated"), 0u);
}

TEST_F(OcrAbiTest, AnImageWithoutWordsIsRecognizedAsEmpty) {
  for (const int size : {1, 16, 600}) {
    SCOPED_TRACE(size);
    const GrayImage blank{.width = size,
                          .height = size,
                          .dpi = 300,
                          .pixels = std::string(static_cast<size_t>(size) * size, '\xff')};
    TestFile png("/icons/blank.png", EncodeImage(blank, TextImageFormat::kPng), "image/png");
    RecordingSink sink;
    ASSERT_EQ(module().Process(png, sink), ARCHIVUM_OK) << module().error();
    EXPECT_EQ(sink.text, "");
    EXPECT_EQ(sink.findings["ocr_pages"], "1");
    EXPECT_EQ(sink.findings.count("ocr_confidence"), 0u) << "no words, no confidence";
  }
}

TEST_F(OcrAbiTest, ReadsEveryImageFormatLeptonicaDecodes) {
  const struct {
    TextImageFormat format;
    const char* mime;
  } kFormats[] = {{TextImageFormat::kJpeg, "image/jpeg"},
                  {TextImageFormat::kTiff, "image/tiff"},
                  {TextImageFormat::kWebp, "image/webp"},
                  {TextImageFormat::kPnm, "image/x-portable-greymap"},
                  {TextImageFormat::kGif, "image/gif"}};
  for (const auto& f : kFormats) {
    SCOPED_TRACE(f.mime);
    TestFile image("/scans/phrase", EncodeImage(PhraseImage(), f.format), f.mime);
    RecordingSink sink;
    ASSERT_EQ(module().Process(image, sink), ARCHIVUM_OK) << module().error();
    EXPECT_TRUE(HasWords(sink.text_by_kind["ocr"], kPhraseWords));
    EXPECT_EQ(sink.findings["ocr_pages"], "1");
  }
}

TEST_F(OcrAbiTest, TextOnATransparentBackgroundIsReadAsOnWhite) {
  TestFile png("/screenshots/phrase.png", EncodeTransparentPng(PhraseImage()), "image/png");
  RecordingSink sink;
  ASSERT_EQ(module().Process(png, sink), ARCHIVUM_OK) << module().error();
  EXPECT_TRUE(HasWords(sink.text_by_kind["ocr"], kPhraseWords));
}

TEST_F(OcrAbiTest, RecognizesEachPageOfAMultipageTiff) {
  const archivum::testing::TextImageSpec page{.text = "", .page_width = 1400, .page_height = 200};
  auto first = page;
  first.text = std::string(testing::kPhrase);
  auto second = page;
  second.text = std::string(kOtherPhrase);
  TestFile tiff("/scans/two.tif",
                EncodeMultipageTiff({RenderTextImage(first), RenderTextImage(second)}),
                "image/tiff");
  RecordingSink sink;
  ASSERT_EQ(module().Process(tiff, sink), ARCHIVUM_OK) << module().error();
  EXPECT_EQ(sink.findings["ocr_pages"], "2");
  const std::string& text = sink.text_by_kind["ocr"];
  const size_t separator = text.find("\n\f\n");
  ASSERT_NE(separator, std::string::npos) << text;
  EXPECT_TRUE(HasWords(text.substr(0, separator), kPhraseWords)) << "page 1 first";
  EXPECT_TRUE(HasWords(text.substr(separator), kOtherPhraseWords));
}

TEST_F(OcrAbiTest, RecognizesAScannedOnlyPdf) {
  TestFile pdf("/scans/letter.pdf", MakePdf({.scanned_pages = {Scan(PhraseImage())}}),
               "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module().Process(pdf, sink), ARCHIVUM_OK) << module().error();
  EXPECT_TRUE(HasWords(sink.text_by_kind["ocr"], kPhraseWords));
  EXPECT_EQ(sink.findings["ocr_pages"], "1");
  EXPECT_EQ(sink.findings.count("ocr_confidence"), 1u);
}

TEST_F(OcrAbiTest, APdfWithATextLayerIsNotRecognized) {
  TestFile pdf("/docs/report.pdf",
               MakePdf({.pages = {"This page has a real text layer", "and so has this one"}}),
               "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module().Process(pdf, sink), ARCHIVUM_OK) << module().error();
  EXPECT_EQ(sink.text, "");
  EXPECT_EQ(sink.text_by_kind.count("ocr"), 0u);
  EXPECT_EQ(sink.findings.count("ocr_pages"), 0u);
  EXPECT_EQ(sink.findings.count("ocr_confidence"), 0u);
}

TEST_F(OcrAbiTest, OnlyThePagesWithoutTextAreRecognized) {
  // Page 1 has a text layer (the pdf plugin's business), page 2 is a scan.
  TestFile pdf("/docs/mixed.pdf",
               MakePdf({.pages = {"Typed cover page with its own words"},
                        .scanned_pages = {Scan(PhraseImage())}}),
               "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module().Process(pdf, sink), ARCHIVUM_OK) << module().error();
  EXPECT_EQ(sink.findings["ocr_pages"], "1");
  EXPECT_TRUE(HasWords(sink.text_by_kind["ocr"], kPhraseWords));
  EXPECT_EQ(testing::Lower(sink.text).find("typed"), std::string::npos) << sink.text;
}

TEST_F(OcrAbiTest, APdfThatNeedsAPasswordIsLeftAlone) {
  TestFile pdf("/docs/locked.pdf", ReadPdfFixture(PdfFixture::kUserPassword), "application/pdf");
  RecordingSink sink;
  EXPECT_EQ(module().Process(pdf, sink), ARCHIVUM_UNSUPPORTED) << module().error();
  EXPECT_EQ(sink.text, "");
}

TEST_F(OcrAbiTest, ADamagedImageIsAnErrorNotACrash) {
  const std::string png = PhrasePng();
  // The PNG signature and header, then garbage where the compressed pixels were.
  std::string garbled = png.substr(0, 33) + std::string(png.size() - 33, '\x5a');
  TestFile damaged("/scans/damaged.png", garbled, "image/png");
  RecordingSink sink;
  EXPECT_EQ(module().Process(damaged, sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module().error().rfind("not a readable image: ", 0), 0u) << module().error();

  TestFile truncated("/scans/truncated.png", png.substr(0, png.size() / 2), "image/png");
  RecordingSink truncated_sink;
  EXPECT_EQ(module().Process(truncated, truncated_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module().error().rfind("not a readable image: ", 0), 0u) << module().error();

  TestFile garbage("/scans/noise.jpg", std::string(5000, '\x7f'), "image/jpeg");
  RecordingSink garbage_sink;
  EXPECT_EQ(module().Process(garbage, garbage_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module().error().rfind("not a readable image: ", 0), 0u) << module().error();

  TestFile empty("/scans/empty.png", "", "image/png");
  RecordingSink empty_sink;
  EXPECT_EQ(module().Process(empty, empty_sink), ARCHIVUM_ERROR);

  TestFile pdf("/docs/fake.pdf", std::string(4096, '\x7f'), "application/pdf");
  RecordingSink pdf_sink;
  EXPECT_EQ(module().Process(pdf, pdf_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module().error().rfind("not a readable PDF: ", 0), 0u) << module().error();

  // Neither an image nor a PDF, nor labeled as one: routed here by a configuration, not broken.
  TestFile text("/docs/notes.txt", "just some text", "text/plain");
  RecordingSink text_sink;
  EXPECT_EQ(module().Process(text, text_sink), ARCHIVUM_UNSUPPORTED);
}

TEST_F(OcrAbiTest, AnImageThatWouldDecodeTooLargeIsRefusedUnread) {
  // 20,000 x 20,000 declared in 60 bytes: 400 megapixels, over the default 100.
  TestFile bomb("/scans/bomb.png", testing::PngDeclaring(20'000, 20'000), "image/png");
  RecordingSink sink;
  EXPECT_EQ(module().Process(bomb, sink), ARCHIVUM_RESOURCE_EXHAUSTED);
  EXPECT_NE(module().error().find("20000 x 20000"), std::string::npos) << module().error();
  EXPECT_NE(module().error().find("max_megapixels"), std::string::npos) << module().error();
  EXPECT_EQ(sink.text, "");
}

TEST_F(OcrAbiTest, CancellationStopsRecognitionMidway) {
  // Several lines: tesseract's monitor asks to go on before each one.
  const std::string png = EncodeImage(
      testing::RenderLines("Archivum recognizes printed words\nThe quick brown fox jumps\n"
                           "over the lazy dog again\nQuarterly budget meeting tomorrow\n"
                           "Fifth line of printed words\nAnd a sixth one to finish"),
      TextImageFormat::kPng);
  TestFile full("/scans/lines.png", png, "image/png");
  RecordingSink full_sink;
  ASSERT_EQ(module().Process(full, full_sink), ARCHIVUM_OK) << module().error();
  const int checks = full.cancel_checks();
  ASSERT_GE(checks, 6) << "a check per line at least";

  // Cancelled when half of those checks were made: during recognition.
  TestFile cancelled("/scans/lines.png", png, "image/png");
  cancelled.CancelAfter(checks / 2);
  RecordingSink sink;
  EXPECT_EQ(module().Process(cancelled, sink), ARCHIVUM_CANCELLED) << module().error();
  EXPECT_EQ(cancelled.cancel_checks(), checks / 2 + 1) << "it stopped at the first refusal";
  EXPECT_EQ(sink.findings.count("ocr_pages"), 0u);

  // The engine it was using is still good for the next file.
  TestFile after("/scans/phrase.png", PhrasePng(), "image/png");
  RecordingSink after_sink;
  ASSERT_EQ(module().Process(after, after_sink), ARCHIVUM_OK) << module().error();
  EXPECT_TRUE(HasWords(after_sink.text_by_kind["ocr"], kPhraseWords));
}

TEST_F(OcrAbiTest, TwoThreadsAtOnceEachGetTheirOwnWords) {
  const std::string first = PhrasePng();
  const std::string second = EncodeImage(testing::RenderLines(kOtherPhrase), TextImageFormat::kPng);
  const std::string pdf = MakePdf({.scanned_pages = {Scan(PhraseImage())}});
  struct Call {
    std::unique_ptr<TestFile> file;
    RecordingSink sink;
    archivum_rc rc = ARCHIVUM_ERROR;
    std::string error;
  };
  std::vector<Call> calls(3);
  calls[0].file = std::make_unique<TestFile>("/a.png", first, "image/png");
  calls[1].file = std::make_unique<TestFile>("/b.png", second, "image/png");
  calls[2].file = std::make_unique<TestFile>("/c.pdf", pdf, "application/pdf");
  std::vector<std::thread> threads;
  for (Call& call : calls) {
    threads.emplace_back([&call] {
      for (int round = 0; round < 2; ++round) {
        call.rc = module().ProcessConcurrently(*call.file, call.sink, &call.error);
        if (call.rc != ARCHIVUM_OK) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (Call& call : calls) ASSERT_EQ(call.rc, ARCHIVUM_OK) << call.error;
  EXPECT_TRUE(HasWords(calls[0].sink.text_by_kind["ocr"], kPhraseWords));
  EXPECT_TRUE(HasWords(calls[1].sink.text_by_kind["ocr"], kOtherPhraseWords));
  EXPECT_TRUE(HasWords(calls[2].sink.text_by_kind["ocr"], kPhraseWords));
  EXPECT_EQ(testing::Lower(calls[0].sink.text).find("budget"), std::string::npos);
  EXPECT_EQ(testing::Lower(calls[1].sink.text).find("archivum"), std::string::npos);
}

TEST(OcrConfigTest, AMissingLanguageFailsCreateNamingItAndTheDirectory) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"languages": ["eng", "xyz"]})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(module.error().find("\"xyz\""), std::string::npos) << module.error();
  EXPECT_NE(module.error().find("/tessdata"), std::string::npos) << module.error();
}

TEST(OcrConfigTest, AMalformedSettingFailsCreateNamingIt) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"dpi": 10000})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(module.error().find("dpi"), std::string::npos) << module.error();
}

TEST(OcrConfigTest, APageOverTheTimeLimitIsSkippedAndCounted) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  // A millisecond: finding the text lines alone takes longer, so recognition is stopped before
  // its first line.
  ASSERT_EQ(module.Create(R"({"page_timeout": 0.001})"), ARCHIVUM_OK) << module.error();
  TestFile png("/scans/phrase.png", PhrasePng(), "image/png");
  RecordingSink sink;
  ASSERT_EQ(module.Process(png, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.findings["ocr_timeout"], "1");
  EXPECT_EQ(sink.findings.count("ocr_pages"), 0u);
  EXPECT_EQ(sink.text, "");
  bool logged = false;
  for (const auto& line : sink.logs) {
    logged |=
        line.level == ARCHIVUM_LOG_WARN && line.message.find("page_timeout") != std::string::npos;
  }
  EXPECT_TRUE(logged) << "the skipped page is logged as a warning";
}

TEST(OcrConfigTest, MaxMegapixelsRefusesLargerImagesAndRendersPdfPagesSmaller) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create(R"({"max_megapixels": 1})"), ARCHIVUM_OK) << module.error();
  // An A4 page at 300 dpi (8.7 megapixels) with a line of large print at its top.
  const GrayImage page = RenderTextImage({.text = std::string(testing::kPhrase),
                                          .font = "DejaVu Sans 24",
                                          .page_width = 2480,
                                          .page_height = 3508});

  TestFile png("/scans/page.png", EncodeImage(page, TextImageFormat::kPng), "image/png");
  RecordingSink png_sink;
  EXPECT_EQ(module.Process(png, png_sink), ARCHIVUM_RESOURCE_EXHAUSTED);
  EXPECT_NE(module.error().find("2480 x 3508"), std::string::npos) << module.error();

  // The same page scanned into a PDF: rendered at about 100 dpi instead of 300, still legible.
  TestFile pdf("/scans/page.pdf", MakePdf({.scanned_pages = {Scan(page)}}), "application/pdf");
  RecordingSink pdf_sink;
  ASSERT_EQ(module.Process(pdf, pdf_sink), ARCHIVUM_OK) << module.error();
  EXPECT_TRUE(HasWords(pdf_sink.text_by_kind["ocr"], kPhraseWords));
  bool logged = false;
  for (const auto& line : pdf_sink.logs) {
    logged |= line.message.find("to stay within max_megapixels") != std::string::npos;
  }
  EXPECT_TRUE(logged) << "the lower resolution is logged";
}

TEST(OcrConfigTest, WithOneEngineConcurrentCallsTakeTurns) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create(R"({"instances": 1})"), ARCHIVUM_OK) << module.error();
  const std::string first = PhrasePng();
  const std::string second = EncodeImage(testing::RenderLines(kOtherPhrase), TextImageFormat::kPng);
  TestFile a("/a.png", first, "image/png");
  TestFile b("/b.png", second, "image/png");
  RecordingSink a_sink, b_sink;
  std::string a_error, b_error;
  archivum_rc a_rc = ARCHIVUM_ERROR, b_rc = ARCHIVUM_ERROR;
  std::thread other([&] { b_rc = module.ProcessConcurrently(b, b_sink, &b_error); });
  a_rc = module.ProcessConcurrently(a, a_sink, &a_error);
  other.join();
  ASSERT_EQ(a_rc, ARCHIVUM_OK) << a_error;
  ASSERT_EQ(b_rc, ARCHIVUM_OK) << b_error;
  EXPECT_TRUE(HasWords(a_sink.text_by_kind["ocr"], kPhraseWords));
  EXPECT_TRUE(HasWords(b_sink.text_by_kind["ocr"], kOtherPhraseWords));
}

TEST(OcrConfigTest, MaxPagesStopsAMultipageTiffAndSaysSo) {
  LoadedModule module(ARCHIVUM_OCR_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create(R"({"max_pages": 1})"), ARCHIVUM_OK) << module.error();
  const archivum::testing::TextImageSpec page{
      .text = std::string(testing::kPhrase), .page_width = 1400, .page_height = 200};
  const GrayImage image = RenderTextImage(page);
  TestFile tiff("/scans/two.tif", EncodeMultipageTiff({image, image}), "image/tiff");
  RecordingSink sink;
  ASSERT_EQ(module.Process(tiff, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.findings["ocr_pages"], "1");
  EXPECT_EQ(sink.findings["truncated"], "true");
  EXPECT_TRUE(HasWords(sink.text_by_kind["ocr"], kPhraseWords));
}

}  // namespace
}  // namespace archivum::bundled::ocr
