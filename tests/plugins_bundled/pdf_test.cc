// The pdf plugin's extractor on generated and committed PDFs: text in reading order page by page,
// the metadata vocabulary, encryption, damaged input, cancellation, the host's limits, and
// concurrent documents.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <climits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.hpp"
#include "pdf/pdf_extractor.h"
#include "pdf/poppler_messages.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/pdf_writer.h"

namespace archivum::bundled::pdf {
namespace {

using archivum::testing::EncryptedFixtureSpec;
using archivum::testing::MakePdf;
using archivum::testing::PdfFixture;
using archivum::testing::PdfInfoEntry;
using archivum::testing::PdfSpec;
using archivum::testing::PdfStringForm;
using archivum::testing::ReadPdfFixture;
using testing::RecordingSink;
using testing::TestFile;

// A host whose log records what it is told.
class RecordingHost {
 public:
  RecordingHost() {
    api_.struct_size = sizeof(api_);
    api_.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    api_.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    api_.ctx = this;
    api_.plugin_name = {"pdf", 3};
    api_.log = [](void* ctx, archivum_log_level, archivum_str message) {
      static_cast<RecordingHost*>(ctx)->logs.emplace_back(message.data, message.size);
    };
  }
  RecordingHost(const RecordingHost&) = delete;
  RecordingHost& operator=(const RecordingHost&) = delete;

  const sdk::Host& host() const { return host_; }
  std::vector<std::string> logs;

 private:
  archivum_host_api api_{};
  sdk::Host host_{&api_};
};

// The outcome of one Process call: its code, or the code and message of the sdk::Error it threw.
struct Outcome {
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
};

class PdfExtractorTest : public ::testing::Test {
 protected:
  Outcome Run(const TestFile& file, RecordingSink& sink) const {
    sdk::File f(file.get());
    sdk::Sink s(sink.get());
    try {
      return {extractor_.Process(f, s), ""};
    } catch (const sdk::Error& e) {
      return {e.code(), e.what()};
    }
  }
  Outcome Run(const std::string& bytes, RecordingSink& sink) const {
    TestFile file("/docs/a.pdf", bytes, "application/pdf");
    return Run(file, sink);
  }

  RecordingHost host_;
  const PdfExtractor extractor_{host_.host()};
};

std::vector<std::string> SplitPages(const std::string& text) {
  std::vector<std::string> pages;
  size_t start = 0;
  for (;;) {
    const size_t at = text.find(kPageSeparator, start);
    pages.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return pages;
    start = at + kPageSeparator.size();
  }
}

TEST_F(PdfExtractorTest, TextOfEachPageInOrderSeparatedByFormFeeds) {
  const PdfSpec spec{.pages = {"The quick brown fox\njumps over the lazy dog", "",
                               "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65", "last words"}};
  RecordingSink sink;
  const Outcome out = Run(MakePdf(spec), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.text,
            "The quick brown fox\njumps over the lazy dog\n\f\n\n\f\n"
            "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65\n\f\nlast words");
  EXPECT_EQ(
      SplitPages(sink.text),
      (std::vector<std::string>{"The quick brown fox\njumps over the lazy dog", "",
                                "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65", "last words"}));
  EXPECT_EQ(sink.text_calls, 4) << "one piece per page";
  EXPECT_EQ(sink.findings["pages"], "4");
  EXPECT_TRUE(sink.tags.empty());
}

TEST_F(PdfExtractorTest, EveryMetadataKeyOfTheVocabulary) {
  const PdfSpec spec{.pages = {"one", "two", "three"},
                     .info = {{"Title", "Quarterly report"},
                              {"Author", "Jane Doe"},
                              {"Subject", "Budget 2025"},
                              {"Keywords", "budget, finance"},
                              {"Creator", "Writer"},
                              {"Producer", "pdfTeX-1.40"},
                              {"CreationDate", "D:20240301093000+02'00'"},
                              {"ModDate", "D:20240302"}}};
  RecordingSink sink;
  const Outcome out = Run(MakePdf(spec), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.findings, (std::map<std::string, std::string>{
                               {"pages", "3"},
                               {"title", "Quarterly report"},
                               {"author", "Jane Doe"},
                               {"subject", "Budget 2025"},
                               {"keywords", "budget, finance"},
                               {"creator", "Writer"},
                               {"producer", "pdfTeX-1.40"},
                               {"created", "2024-03-01T07:30:00Z"},
                               {"modified", "2024-03-02"},
                           }));
}

TEST_F(PdfExtractorTest, DatesAreNormalizedToUtcFromTheirOffsets) {
  const PdfSpec spec{.pages = {"x"},
                     .info = {{"CreationDate", "D:20231231230000-02'00'"},
                              {"ModDate", "D:20240615120000+05'30'"}}};
  RecordingSink sink;
  ASSERT_EQ(Run(MakePdf(spec), sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings["created"], "2024-01-01T01:00:00Z");
  EXPECT_EQ(sink.findings["modified"], "2024-06-15T06:30:00Z");
}

TEST_F(PdfExtractorTest, AnInvalidDateIsLoggedNotEmitted) {
  const PdfSpec spec{.pages = {"x"},
                     .info = {{"CreationDate", "D:20241399"}, {"ModDate", "last Tuesday"}}};
  RecordingSink sink;
  ASSERT_EQ(Run(MakePdf(spec), sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings.count("created"), 0u);
  EXPECT_EQ(sink.findings.count("modified"), 0u);
  bool logged = false;
  for (const auto& line : sink.logs) {
    logged |= line.message.find("D:20241399") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(PdfExtractorTest, Utf16InfoValues) {
  const std::string title =
      "Gr\xc3\xbc\xc3\x9f\x65 \xe2\x82\xac \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80";
  const PdfSpec spec{.pages = {"x"},
                     .info = {{"Title", title, PdfStringForm::kUtf16Be},
                              {"Author", "  Zo\xc3\xab  ", PdfStringForm::kUtf16Be}}};
  RecordingSink sink;
  ASSERT_EQ(Run(MakePdf(spec), sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings["title"], title);
  EXPECT_EQ(sink.findings["author"], "Zo\xc3\xab");
}

TEST_F(PdfExtractorTest, OnlyKeysTheFileStatesTrimmed) {
  const PdfSpec spec{.pages = {"x"},
                     .info = {{"Title", "   spaced out   "}, {"Author", "   "}, {"Subject", ""}}};
  RecordingSink sink;
  ASSERT_EQ(Run(MakePdf(spec), sink).rc, ARCHIVUM_OK);
  EXPECT_EQ(sink.findings,
            (std::map<std::string, std::string>{{"pages", "1"}, {"title", "spaced out"}}));

  RecordingSink bare;
  ASSERT_EQ(Run(MakePdf({.pages = {"x", "y"}}), bare).rc, ARCHIVUM_OK);
  EXPECT_EQ(bare.findings, (std::map<std::string, std::string>{{"pages", "2"}}));
}

TEST_F(PdfExtractorTest, ADocumentThatNeedsAPasswordIsTaggedAndNotRead) {
  RecordingSink sink;
  const Outcome out = Run(ReadPdfFixture(PdfFixture::kUserPassword), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.tags, std::vector<std::string>{"encrypted"});
  EXPECT_TRUE(sink.text.empty());
  EXPECT_TRUE(sink.findings.empty()) << "poppler-cpp tells nothing about a locked document";
}

TEST_F(PdfExtractorTest, AnEmptyUserPasswordIsReadNormally) {
  RecordingSink sink;
  const Outcome out = Run(ReadPdfFixture(PdfFixture::kEmptyUserPassword), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  const PdfSpec spec = EncryptedFixtureSpec();
  EXPECT_EQ(SplitPages(sink.text), spec.pages);
  EXPECT_EQ(sink.findings,
            (std::map<std::string, std::string>{
                {"pages", "2"}, {"title", spec.info[0].value}, {"author", spec.info[1].value}}));
  EXPECT_TRUE(sink.tags.empty());
}

TEST_F(PdfExtractorTest, TruncatedPdfIsAnErrorWithPopplersReason) {
  const std::string pdf = MakePdf(
      {.pages = {"first page", "second page", "third page"}, .info = {{"Title", "Cut short"}}});
  RecordingSink sink;
  const Outcome out = Run(pdf.substr(0, pdf.size() / 2), sink);
  EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(out.error.rfind("not a readable PDF: ", 0), 0u) << out.error;
  EXPECT_NE(out.error.find("xref"), std::string::npos) << out.error;
}

TEST_F(PdfExtractorTest, EveryCutOfAPdfIsReadOrRefusedCleanly) {
  const std::string pdf = MakePdf(
      {.pages = {"first page", "second page", "third page"}, .info = {{"Title", "Cut short"}}});
  for (size_t cut = 1; cut < pdf.size(); cut += 7) {
    RecordingSink sink;
    const Outcome out = Run(pdf.substr(0, cut), sink);
    if (out.rc == ARCHIVUM_OK) continue;  // poppler repairs a file missing only its tail
    EXPECT_EQ(out.rc, ARCHIVUM_ERROR) << "cut at " << cut;
    EXPECT_EQ(out.error.rfind("not a readable PDF: ", 0), 0u)
        << "cut at " << cut << ": " << out.error;
  }
}

TEST_F(PdfExtractorTest, RandomBytesAreNotAReadablePdf) {
  std::mt19937 random(20240301);
  std::string bytes(8192, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  RecordingSink sink;
  const Outcome out = Run(bytes, sink);
  EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(out.error.rfind("not a readable PDF: ", 0), 0u) << out.error;

  RecordingSink with_header;
  const Outcome headed = Run("%PDF-1.4\n" + bytes, with_header);
  EXPECT_EQ(headed.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(headed.error.rfind("not a readable PDF: ", 0), 0u) << headed.error;
}

TEST_F(PdfExtractorTest, AFileThatIsNotAPdfByEitherSignIsUnsupported) {
  std::mt19937 random(7);
  std::string binary(4096, '\0');
  for (char& c : binary) c = static_cast<char>(random());
  for (const auto& [mime, bytes] : {std::pair<std::string, std::string>{"text/plain", "hello\n"},
                                    {"application/x-empty", ""},
                                    {"application/octet-stream", binary},
                                    {"", binary}}) {
    TestFile file("/docs/not.pdf", bytes, mime);
    RecordingSink sink;
    const Outcome out = Run(file, sink);
    EXPECT_EQ(out.rc, ARCHIVUM_UNSUPPORTED) << mime << ": " << out.error;
    EXPECT_TRUE(sink.findings.empty() && sink.text.empty() && sink.tags.empty()) << mime;
  }
}

TEST_F(PdfExtractorTest, APdfHeaderIsEnoughWhateverTheMimeType) {
  TestFile file("/docs/a.bin", MakePdf({.pages = {"found by its header"}}),
                "application/octet-stream");
  RecordingSink sink;
  const Outcome out = Run(file, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.text, "found by its header");
}

TEST(PdfCandidateTest, MimeTypeOrAHeaderInTheFirst1024Bytes) {
  EXPECT_TRUE(IsPdfCandidate("application/pdf", ""));
  EXPECT_TRUE(IsPdfCandidate("Application/PDF; charset=binary", "junk"));
  EXPECT_TRUE(IsPdfCandidate("application/x-pdf", ""));
  EXPECT_FALSE(IsPdfCandidate("application/pdfx", "junk"));
  EXPECT_FALSE(IsPdfCandidate("text/plain", "junk"));
  EXPECT_TRUE(IsPdfCandidate("", "%PDF-1.7\n"));
  EXPECT_TRUE(IsPdfCandidate("", std::string(1023, ' ') + "%PDF-1.7\n"));
  EXPECT_FALSE(IsPdfCandidate("", std::string(1024, ' ') + "%PDF-1.7\n"));
  EXPECT_FALSE(IsPdfCandidate("", std::string(1023, ' ') + "%PDF"));
}

TEST_F(PdfExtractorTest, AnEmptyFileIsNotAReadablePdf) {
  RecordingSink sink;
  const Outcome out = Run(std::string(), sink);
  EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(out.error, "not a readable PDF: the file is empty");
}

TEST_F(PdfExtractorTest, ADocumentWithoutPagesIsNotAReadablePdf) {
  RecordingSink sink;
  const Outcome out = Run(MakePdf({.info = {{"Title", "Nothing here"}}}), sink);
  EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(out.error.rfind("not a readable PDF: it has no pages", 0), 0u) << out.error;
}

TEST_F(PdfExtractorTest, PopplersMessagesGoToTheFilesLogNotStderr) {
  // Objects without a cross-reference table or trailer: poppler complains about each of them.
  std::string garbage = "%PDF-1.4\n";
  for (int i = 1; i < 100; ++i) {
    garbage += std::to_string(i) + " 0 obj\n<< /Type /Page /Contents 999 0 R\nendobj\n";
  }
  RecordingSink sink;
  ::testing::internal::CaptureStderr();
  const Outcome out = Run(garbage, sink);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(err, "");
  size_t poppler_lines = 0;
  for (const auto& line : sink.logs) {
    EXPECT_EQ(line.level, ARCHIVUM_LOG_DEBUG) << line.message;
    if (line.message.rfind("poppler: ", 0) == 0) ++poppler_lines;
  }
  // The first messages are logged; the rest are counted on one line.
  EXPECT_EQ(poppler_lines, PopplerMessages::kMaxLogged);
  ASSERT_FALSE(sink.logs.empty());
  EXPECT_NE(sink.logs.back().message.find("more poppler messages not logged"), std::string::npos);
}

TEST_F(PdfExtractorTest, CancelledBeforeLoadingEmitsNothing) {
  TestFile file("/docs/a.pdf", MakePdf({.pages = {"x"}}), "application/pdf");
  file.CancelAfter(0);
  RecordingSink sink;
  EXPECT_EQ(Run(file, sink).rc, ARCHIVUM_CANCELLED);
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_TRUE(sink.text.empty());
}

TEST_F(PdfExtractorTest, CancellationIsPolledBetweenPages) {
  const PdfSpec spec{.pages = {"page one", "page two", "page three", "page four", "page five"}};
  TestFile file("/docs/a.pdf", MakePdf(spec), "application/pdf");
  // Checks: before loading, after loading, then one before each page: the fourth is the one
  // before page two.
  file.CancelAfter(3);
  RecordingSink sink;
  EXPECT_EQ(Run(file, sink).rc, ARCHIVUM_CANCELLED);
  EXPECT_EQ(sink.text, "page one");
  EXPECT_EQ(file.cancel_checks(), 4);
}

TEST_F(PdfExtractorTest, TheHostsOutputLimitTruncatesTheText) {
  const PdfSpec spec{.pages = {"page one", "page two", "page three"}};
  RecordingSink sink;
  sink.text_budget = std::string("page one").size() + kPageSeparator.size() + 3;
  const Outcome out = Run(MakePdf(spec), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_EQ(sink.text, "page one");
  EXPECT_EQ(sink.findings["truncated"], "true");
  EXPECT_EQ(sink.findings["pages"], "3");
}

TEST_F(PdfExtractorTest, AFileOverIntMaxIsRefusedWithoutBeingRead) {
  // Address space only: the pages are never touched, so nothing is allocated.
  const size_t size = size_t{INT_MAX} + 1;
  void* map = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  const TestFile base("/docs/huge.pdf", "", "application/pdf");
  archivum_file raw = *base.get();
  raw.bytes = {static_cast<const uint8_t*>(map), size};
  raw.size = size;
  RecordingSink sink;
  sdk::File file(&raw);
  sdk::Sink s(sink.get());
  try {
    extractor_.Process(file, s);
    ADD_FAILURE() << "a file over INT_MAX bytes was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_RESOURCE_EXHAUSTED);
    EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
  }
  munmap(map, size);
}

TEST_F(PdfExtractorTest, ConcurrentDocumentsGiveTheirOwnResults) {
  // Different documents on several threads through one extractor, as the host runs a
  // thread-safe plugin; each result must be what the document says.
  constexpr int kThreads = 4;
  constexpr int kRounds = 12;
  std::vector<std::string> pdfs;
  for (int t = 0; t < kThreads; ++t) {
    const std::string n = std::to_string(t);
    pdfs.push_back(MakePdf({.pages = {"document " + n + " first", "document " + n + " second"},
                            .info = {{"Title", "Title " + n}}}));
  }
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string n = std::to_string(t);
      for (int round = 0; round < kRounds; ++round) {
        RecordingSink sink;
        const Outcome out = Run(pdfs[static_cast<size_t>(t)], sink);
        if (out.rc != ARCHIVUM_OK ||
            sink.text != "document " + n + " first\n\f\ndocument " + n + " second" ||
            sink.findings["title"] != "Title " + n) {
          ++wrong[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(kThreads, 0));
}

TEST(PdfExtractorHostTest, TheBuiltInDocumentIsReadWithoutComplaint) {
  RecordingHost host;
  const PdfExtractor extractor(host.host());
  EXPECT_TRUE(host.logs.empty()) << host.logs.front();
}

}  // namespace
}  // namespace archivum::bundled::pdf
