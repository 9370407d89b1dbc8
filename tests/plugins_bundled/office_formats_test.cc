// The office plugin's known answers: for each format, the text in reading order and every
// metadata finding of a generated document; the MIME types libmagic gives those documents;
// password-protected documents; timestamp normalization.
#include <gtest/gtest.h>
#include <magic.h>

#include <memory>
#include <string>
#include <vector>

#include "office/metadata.h"
#include "office/office_extractor.h"
#include "plugins_bundled/office_test_util.h"
#include "support/documents/office_writer.h"

namespace archivum::bundled::office {
namespace {

using namespace testing;
using archivum::testing::ChapterSpec;
using archivum::testing::DocxExtras;
using archivum::testing::OfficeMetadata;
using archivum::testing::PackageMember;
using archivum::testing::SheetSpec;

OfficeMetadata OoxmlMeta() {
  OfficeMetadata m;
  m.title = "Quarterly report";
  m.authors = {"Jane Doe", "John Roe"};
  m.subject = "Budget 2025";
  m.description = "Figures for the board";
  m.keywords = {"budget", "finance"};
  m.language = "en-GB";
  m.created = "2024-03-01T09:30:00Z";
  m.modified = "2024-03-02T01:15:00+02:00";  // 2024-03-01T23:15:00Z
  return m;
}

std::vector<SheetSpec> Sheets() {
  return {
      {"Budget", {{"Item", "Cost"}, {"Rent", "1200"}, {"Heating oil", "85.5"}, {"Paid", "TRUE"}}},
      {"Notes", {{"Checked by Ann"}}}};
}

TEST(OfficeDocxTest, ReadsBodyTablesHeadersFootnotesAndEveryMetadataKey) {
  OfficeMetadata meta = OoxmlMeta();
  meta.application = "Microsoft Office Word";
  meta.pages = 3;
  DocxExtras extras;
  extras.table = {{"Item", "Cost"}, {"Rent", "1200"}};
  extras.header = "Header words";
  extras.footer = "Footer words";
  extras.footnote = "A footnote";
  extras.text_box = "Boxed text";
  const Document doc =
      Read(archivum::testing::MakeDocx({"The first paragraph", "Second\twith a tab",
                                        "Third\nwith a break", "Fourth  with  two spaces"},
                                       meta, extras),
           kDocxMime);
  EXPECT_EQ(doc.kind, Kind::kDocx);
  EXPECT_EQ(doc.text,
            "The first paragraph\nSecond\twith a tab\nThird\nwith a break\n"
            "Fourth  with  two spaces\nBoxed text\nItem\tCost\nRent\t1200\n"
            "Header words\nFooter words\nA footnote");
  EXPECT_EQ(doc.findings, (Findings{{"title", "Quarterly report"},
                                    {"author", "Jane Doe"},
                                    {"author", "John Roe"},
                                    {"subject", "Budget 2025"},
                                    {"keywords", "budget, finance"},
                                    {"created", "2024-03-01T09:30:00Z"},
                                    {"modified", "2024-03-01T23:15:00Z"},
                                    {"language", "en-GB"},
                                    {"creator", "Microsoft Office Word"},
                                    {"pages", "3"}}));
  EXPECT_FALSE(doc.encrypted);
  EXPECT_FALSE(doc.truncated);
}

TEST(OfficeDocxTest, DescriptionStandsInForAMissingSubject) {
  OfficeMetadata meta;
  meta.description = "What this is about";
  const Document doc = Read(archivum::testing::MakeDocx({"Body"}, meta), kDocxMime);
  EXPECT_EQ(doc.findings, (Findings{{"subject", "What this is about"}}));
}

TEST(OfficeXlsxTest, ReadsSheetsInWorkbookOrderWithTheirCells) {
  OfficeMetadata meta = OoxmlMeta();
  meta.application = "Microsoft Excel";
  const std::string expected =
      "Budget\nItem\tCost\nRent\t1200\nHeating oil\t85.5\nPaid\tTRUE\nNotes\nChecked by Ann";
  for (const bool inline_strings : {false, true}) {
    const Document doc =
        Read(archivum::testing::MakeXlsx(Sheets(), meta, inline_strings), kXlsxMime);
    EXPECT_EQ(doc.kind, Kind::kXlsx);
    EXPECT_EQ(doc.text, expected) << "inline strings: " << inline_strings;
    EXPECT_EQ(doc.text.find("PHONETIC"), std::string::npos);  // a reading aid, not the string
    EXPECT_EQ(doc.findings, (Findings{{"title", "Quarterly report"},
                                      {"author", "Jane Doe"},
                                      {"author", "John Roe"},
                                      {"subject", "Budget 2025"},
                                      {"keywords", "budget, finance"},
                                      {"created", "2024-03-01T09:30:00Z"},
                                      {"modified", "2024-03-01T23:15:00Z"},
                                      {"language", "en-GB"},
                                      {"creator", "Microsoft Excel"},
                                      {"sheets", "2"}}));
  }
}

TEST(OfficePptxTest, ReadsSlidesInPresentationOrder) {
  OfficeMetadata meta = OoxmlMeta();
  meta.application = "Microsoft Office PowerPoint";
  const Document doc = Read(
      archivum::testing::MakePptx(
          {{"Welcome", "Agenda for today"}, {"Results", "Revenue grew\nCosts fell"}, {"Questions"}},
          meta),
      kPptxMime);
  EXPECT_EQ(doc.kind, Kind::kPptx);
  EXPECT_EQ(doc.text, "Welcome\nAgenda for today\nResults\nRevenue grew\nCosts fell\nQuestions");
  EXPECT_EQ(Values(doc, "slides"), std::vector<std::string>{"3"});
  EXPECT_EQ(Values(doc, "creator"), std::vector<std::string>{"Microsoft Office PowerPoint"});
  EXPECT_EQ(Values(doc, "author"), (std::vector<std::string>{"Jane Doe", "John Roe"}));
  EXPECT_EQ(Values(doc, "title"), std::vector<std::string>{"Quarterly report"});
}

TEST(OfficePptxTest, CountsSlidesFromThePresentationWhenAppXmlIsMissing) {
  std::vector<PackageMember> members = archivum::testing::PptxMembers({{"One"}, {"Two"}});
  std::erase_if(members, [](const PackageMember& m) { return m.name == "docProps/app.xml"; });
  const Document doc = Read(archivum::testing::WritePackage(members), kPptxMime);
  EXPECT_EQ(doc.text, "One\nTwo");
  EXPECT_EQ(Values(doc, "slides"), std::vector<std::string>{"2"});
}

OfficeMetadata OdfMeta() {
  OfficeMetadata m;
  m.title = "Minutes";
  m.authors = {"Ann Author", "Bob Editor"};  // initial creator, then the last one to save it
  m.subject = "Meeting";
  m.keywords = {"minutes", "board"};
  m.language = "de-CH";
  m.created = "2024-03-01T09:30:00.123456789";  // local time without a zone, as LibreOffice
  m.modified = "2024-03-05T18:00:00";
  m.application = "LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2";
  m.pages = 2;
  return m;
}

TEST(OfficeOdtTest, ReadsParagraphsWithSpacesTabsAndBreaksAndEveryMetadataKey) {
  const Document doc = Read(
      archivum::testing::MakeOdt(
          {"Hello brave new world", "Tabs\there", "Line\nbreak", "Two  spaces   three"}, OdfMeta()),
      kOdtMime);
  EXPECT_EQ(doc.kind, Kind::kOdt);
  EXPECT_EQ(doc.text, "Hello brave new world\nTabs\there\nLine\nbreak\nTwo  spaces   three");
  EXPECT_EQ(
      doc.findings,
      (Findings{{"title", "Minutes"},
                {"author", "Ann Author"},
                {"author", "Bob Editor"},
                {"subject", "Meeting"},
                {"keywords", "minutes, board"},
                {"created", "2024-03-01T09:30:00Z"},
                {"modified", "2024-03-05T18:00:00Z"},
                {"language", "de-CH"},
                {"creator", "LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2"},
                {"pages", "2"}}));
}

TEST(OfficeOdsTest, ReadsSheetsAndCellsAndTheStatedSheetCount) {
  OfficeMetadata meta;
  meta.title = "Accounts";
  const Document doc = Read(archivum::testing::MakeOds(Sheets(), meta), kOdsMime);
  EXPECT_EQ(doc.kind, Kind::kOds);
  EXPECT_EQ(doc.text,
            "Budget\nItem\tCost\nRent\t1200\nHeating oil\t85.5\nPaid\tTRUE\nNotes\nChecked by Ann");
  EXPECT_EQ(doc.findings, (Findings{{"title", "Accounts"}, {"sheets", "2"}}));
}

TEST(OfficeOdpTest, ReadsSlideFramesWithoutNotesAndCountsThePages) {
  const Document doc = Read(
      archivum::testing::MakeOdp({{"Welcome", "Agenda"}, {"Results", "Up\tand\nright"}}), kOdpMime);
  EXPECT_EQ(doc.kind, Kind::kOdp);
  EXPECT_EQ(doc.text, "Welcome\nAgenda\nResults\nUp\tand\nright");
  EXPECT_EQ(doc.findings, (Findings{{"slides", "2"}}));  // meta.xml states none: counted
}

TEST(OfficeEpubTest, ReadsChaptersInSpineOrderAndThePackageMetadata) {
  OfficeMetadata meta;
  meta.title = "The Book";
  meta.authors = {"Ann Author", "Bob Writer"};
  meta.subject = "Fiction";
  meta.description = "A long blurb";
  meta.language = "en";
  meta.created = "2024-03-01";
  meta.modified = "2024-03-02T10:00:00Z";
  meta.application = "Sigil";
  const Document doc = Read(
      archivum::testing::MakeEpub({{"Chapter One", {"It was a dark night.", "The end\nof one."}},
                                   {"Chapter Two", {"Morning   came."}},
                                   {"Chapter Three", {"Fin."}}},
                                  meta),
      kEpubMime);
  EXPECT_EQ(doc.kind, Kind::kEpub);
  // The book title in each chapter's <title> is not chapter text.
  EXPECT_EQ(doc.text,
            "Chapter One\nIt was a dark night.\nThe end\nof one.\nChapter Two\nMorning came.\n"
            "Chapter Three\nFin.");
  EXPECT_EQ(doc.findings, (Findings{{"title", "The Book"},
                                    {"author", "Ann Author"},
                                    {"author", "Bob Writer"},
                                    {"subject", "Fiction"},
                                    {"created", "2024-03-01"},
                                    {"modified", "2024-03-02T10:00:00Z"},
                                    {"language", "en"},
                                    {"creator", "Sigil"}}));
}

TEST(OfficeEpubTest, Epub2ChaptersReadHtmlEntityNames) {
  std::vector<PackageMember> members = archivum::testing::EpubMembers({{"One", {"placeholder"}}});
  archivum::testing::SetMember(
      members, archivum::testing::EpubChapterName(0, 1),
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.1//EN\" "
      "\"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd\">\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>T</title></head><body>"
      "<p>Caf&eacute;&nbsp;cr&egrave;me &mdash; &amp; &#x263A; &unknown;done</p>"
      "<table><tr><td>a</td><td>b</td></tr></table><pre>x  y</pre></body></html>");
  const Document doc = Read(archivum::testing::WritePackage(members), kEpubMime);
  EXPECT_EQ(doc.text, "Café\u00A0crème — & \u263A done\na\tb\nx  y");
}

TEST(OfficeMimeTest, LibmagicReportsTheTypesTheGeneratorsAimAt) {
  std::unique_ptr<struct magic_set, decltype(&magic_close)> magic(magic_open(MAGIC_MIME_TYPE),
                                                                  &magic_close);
  ASSERT_NE(magic, nullptr);
  ASSERT_EQ(magic_load(magic.get(), nullptr), 0) << magic_error(magic.get());
  const std::vector<std::pair<std::string, std::string>> documents = {
      {archivum::testing::MakeDocx({"Hello"}, OoxmlMeta()), kDocxMime},
      {archivum::testing::MakeXlsx(Sheets(), OoxmlMeta()), kXlsxMime},
      {archivum::testing::MakePptx({{"Hello"}}, OoxmlMeta()), kPptxMime},
      {archivum::testing::MakeOdt({"Hello"}, OdfMeta()), kOdtMime},
      {archivum::testing::MakeOds(Sheets()), kOdsMime},
      {archivum::testing::MakeOdp({{"Hello"}}), kOdpMime},
      {archivum::testing::MakeEpub({{"One", {"Hello"}}}), kEpubMime},
      {archivum::testing::MakeEncryptedOoxml(), "application/encrypted"},
  };
  for (const auto& [bytes, mime] : documents) {
    const char* detected = magic_buffer(magic.get(), bytes.data(), bytes.size());
    ASSERT_NE(detected, nullptr) << magic_error(magic.get());
    EXPECT_EQ(std::string(detected), mime);
    // What libmagic reports is what the plugin reads.
    if (mime != "application/encrypted") {
      EXPECT_NO_THROW(Read(bytes, detected)) << mime;
    }
  }
}

TEST(OfficeMimeTest, ThePackageSaysWhatItIsWhenTheTypeIsGenericOrWrong) {
  EXPECT_EQ(Read(archivum::testing::MakeOdp({{"Slide"}}), "application/zip").kind, Kind::kOdp);
  EXPECT_EQ(Read(archivum::testing::MakeEpub({{"One", {"x"}}}), "").kind, Kind::kEpub);
  const Document xlsx = Read(archivum::testing::MakeXlsx(Sheets()), "application/octet-stream");
  EXPECT_EQ(xlsx.kind, Kind::kXlsx);
  EXPECT_EQ(Values(xlsx, "sheets"), std::vector<std::string>{"2"});
  // A DOCX routed as a presentation is still read as what its main part is.
  const Document docx = Read(archivum::testing::MakeDocx({"Words"}), kPptxMime);
  EXPECT_EQ(docx.kind, Kind::kDocx);
  EXPECT_EQ(docx.text, "Words");
}

TEST(OfficeEncryptedTest, EncryptedOoxmlIsTaggedAndOtherCompoundFilesDeclined) {
  const Document doc = Read(archivum::testing::MakeEncryptedOoxml(), "application/encrypted");
  EXPECT_TRUE(doc.encrypted);
  EXPECT_TRUE(doc.text.empty());
  EXPECT_TRUE(doc.findings.empty());

  // A compound file without the encryption streams (an old .doc, say) is not for this plugin.
  std::string other = archivum::testing::MakeEncryptedOoxml();
  const size_t name = other.find(std::string("E\0n\0c\0r\0y\0p\0t\0e\0d\0", 18));
  ASSERT_NE(name, std::string::npos);
  other[name] = 'X';
  EXPECT_EQ(ReadFailure(other, "application/CDFV2").code, ARCHIVUM_UNSUPPORTED);
}

TEST(OfficeEncryptedTest, EncryptedOdfContentIsTaggedWithItsMetadata) {
  std::vector<PackageMember> members = archivum::testing::OdtMembers({"Secret"}, OdfMeta());
  archivum::testing::SetMember(members, "content.xml", std::string(400, '\x9c'));
  archivum::testing::SetMember(
      members, "META-INF/manifest.xml",
      "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
      "<manifest:file-entry manifest:full-path=\"/\" "
      "manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
      "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\">"
      "<manifest:encryption-data manifest:checksum-type=\"SHA1/1K\" manifest:checksum=\"AA==\">"
      "<manifest:algorithm manifest:algorithm-name=\"Blowfish CFB\"/></manifest:encryption-data>"
      "</manifest:file-entry></manifest:manifest>");
  const Document doc = Read(archivum::testing::WritePackage(members), kOdtMime);
  EXPECT_TRUE(doc.encrypted);
  EXPECT_TRUE(doc.text.empty());
  EXPECT_EQ(Values(doc, "title"), std::vector<std::string>{"Minutes"});
}

TEST(OfficeEncryptedTest, EncryptedEpubChaptersAreSkippedAndTagged) {
  std::vector<PackageMember> members =
      archivum::testing::EpubMembers({{"Open", {"Free text"}}, {"Locked", {"Paid text"}}});
  const std::string locked = archivum::testing::EpubChapterName(1, 2);
  archivum::testing::SetMember(members, locked, std::string(300, '\x01'));
  archivum::testing::SetMember(
      members, "META-INF/encryption.xml",
      "<encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\" "
      "xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\"><enc:EncryptedData>"
      "<enc:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/>"
      "<enc:CipherData><enc:CipherReference URI=\"" +
          locked + "\"/></enc:CipherData></enc:EncryptedData></encryption>");
  const Document doc = Read(archivum::testing::WritePackage(members), kEpubMime);
  EXPECT_TRUE(doc.encrypted);
  EXPECT_EQ(doc.text, "Open\nFree text");
}

TEST(OfficeTimeTest, NormalizesToUtc) {
  EXPECT_EQ(NormalizeTime("2024-03-01T09:30:00Z"), "2024-03-01T09:30:00Z");
  EXPECT_EQ(NormalizeTime(" 2024-03-01T09:30:00.75+01:30 "), "2024-03-01T08:00:00Z");
  EXPECT_EQ(NormalizeTime("2024-01-01T01:00:00+02:00"), "2023-12-31T23:00:00Z");
  EXPECT_EQ(NormalizeTime("2024-12-31T23:30:00-0100"), "2025-01-01T00:30:00Z");
  EXPECT_EQ(NormalizeTime("2024-02-29T10:00"), "2024-02-29T10:00:00Z");
  EXPECT_EQ(NormalizeTime("2024-02-29"), "2024-02-29");
  EXPECT_EQ(NormalizeTime("2024-03-01 09:30:00"), "2024-03-01T09:30:00Z");
  for (const char* bad :
       {"", "2024", "2024-03", "2023-02-29", "2024-13-01", "2024-03-01T25:00:00",
        "2024-03-01T10:00:00+24:00", "2024-03-01X", "yesterday", "2024-03-01T10:00:00Zjunk"}) {
    EXPECT_EQ(NormalizeTime(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace archivum::bundled::office
