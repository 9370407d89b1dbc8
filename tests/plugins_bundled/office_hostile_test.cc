// The office plugin against hostile and broken input: external entities and entity expansion,
// deep nesting and attribute floods, zip bombs, huge central directories, truncated files,
// random bytes, packages without their main part, malformed XML, cancellation.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <random>
#include <string>
#include <vector>

#include "office/office_extractor.h"
#include "office/xml_stream.h"
#include "plugins_bundled/office_test_util.h"
#include "support/documents/office_writer.h"
#include "support/temp_dir.h"

namespace archivum::bundled::office {
namespace {

using namespace testing;
using archivum::testing::PackageMember;

constexpr char kWordNs[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

// A DOCX whose word/document.xml is `xml`.
std::string DocxWithDocument(const std::string& xml) {
  std::vector<PackageMember> members = archivum::testing::DocxMembers({"placeholder"});
  archivum::testing::SetMember(members, "word/document.xml", xml);
  return archivum::testing::WritePackage(members);
}

std::string Paragraph(const std::string& text_xml) {
  return "<w:p><w:r><w:t>" + text_xml + "</w:t></w:r></w:p>";
}

std::string WordDocument(const std::string& doctype, const std::string& body) {
  return "<?xml version=\"1.0\"?>\n" + doctype + "<w:document xmlns:w=\"" + kWordNs +
         "\"><w:body>" + body + "</w:body></w:document>";
}

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

constexpr char kInternalSubsetRefused[] =
    "not a readable DOCX: word/document.xml: the document declares a DTD internal subset, which "
    "is not read";

TEST(OfficeHostileTest, ExternalEntitiesAreNeverRead) {
  const archivum::testing::TempDir dir;
  const std::string secret = "TOP-SECRET-8d1f";
  const std::string path = dir.Write("secret.txt", secret).string();
  // Declared in an internal subset, as a general or a parameter entity: refused before libxml2
  // reads a declaration.
  for (const std::string& doctype :
       {"<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file://" + path + "\">]>",
        "<!DOCTYPE w:document [<!ENTITY % p SYSTEM \"file://" + path + "\"> %p;]>"}) {
    const Failure failure = ReadFailure(
        DocxWithDocument(WordDocument(doctype, Paragraph("before &xxe; after"))), kDocxMime);
    EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
    EXPECT_EQ(failure.message, kInternalSubsetRefused);
  }
  // An external DTD is never fetched; an undeclared entity reads as nothing, in text and in
  // attributes.
  const Document doc = Read(
      DocxWithDocument(WordDocument("<!DOCTYPE w:document SYSTEM \"file://" + path + "\">",
                                    Paragraph("before &xxe; after") + "<w:p w:rsidR=\"&xxe;\">" +
                                        Paragraph("end") + "</w:p>")),
      kDocxMime);
  EXPECT_EQ(doc.text, "before  after\nend");
  // An EPUB chapter with an internal subset is left out; the rest of the book reads.
  std::vector<PackageMember> epub =
      archivum::testing::EpubMembers({{"One", {"x"}}, {"Two", {"Safe"}}});
  archivum::testing::SetMember(
      epub, archivum::testing::EpubChapterName(0, 2),
      "<?xml version=\"1.0\"?><!DOCTYPE html [<!ENTITY xxe SYSTEM \"file://" + path +
          "\">]><html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>a &xxe; b</p></body></html>");
  const Document book = Read(archivum::testing::WritePackage(epub), kEpubMime);
  EXPECT_EQ(book.text, "Two\nSafe");
}

TEST(OfficeHostileTest, EntityExpansionIsRefusedUpFront) {
  std::string doctype = "<!DOCTYPE w:document [<!ENTITY a0 \"lol\">";
  for (int i = 1; i <= 12; ++i) {
    doctype += "<!ENTITY a" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) doctype += "&a" + std::to_string(i - 1) + ";";
    doctype += "\">";
  }
  doctype += "]>";
  const long before = PeakRssKiB();
  const Failure failure = ReadFailure(
      DocxWithDocument(WordDocument(doctype, Paragraph("start &a12; &a12; stop"))), kDocxMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_EQ(failure.message, kInternalSubsetRefused);
  EXPECT_LT(PeakRssKiB() - before, 64 * 1024);
}

TEST(OfficeHostileTest, DeepNestingStopsTheParse) {
  std::string body;
  for (int i = 0; i < 100000; ++i) body += "<w:sdt>";
  const Failure failure = ReadFailure(DocxWithDocument(WordDocument("", body)), kDocxMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_NE(failure.message.find("nested deeper than 256"), std::string::npos) << failure.message;
}

TEST(OfficeHostileTest, AnAttributeFloodStopsTheParseBeforeLibxml2) {
  std::string tag = "<w:p";
  for (size_t i = 0; i <= kMaxXmlAttributes; ++i) tag += " a" + std::to_string(i) + "=\"\"";
  const Failure failure = ReadFailure(DocxWithDocument(WordDocument("", tag + "/>")), kDocxMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_NE(failure.message.find("more than 4096 attributes"), std::string::npos)
      << failure.message;
  // '>' and '=' in quoted values, comments and CDATA do not count.
  std::string fine = "<!-- a=b=c > d=e -->";
  for (int i = 0; i < 3000; ++i) fine += "<w:p a=\"x=y>z\" b='=='/>";
  fine += "<![CDATA[ = = = ]]>" + Paragraph("ok");
  EXPECT_EQ(Read(DocxWithDocument(WordDocument("", fine)), kDocxMime).text, "ok");
}

TEST(OfficeBombTest, AHugePartCostsItsTextBudgetNotItsSize) {
  // 300 MiB of paragraphs in a member of about 300 KiB. The text budget (8 MiB by default) is
  // spent early and parsing stops there.
  const std::string bomb = archivum::testing::MakeDocxWithHugeParagraph(uint64_t{300} << 20);
  ASSERT_LT(bomb.size(), size_t{4} << 20);
  const long before = PeakRssKiB();
  const Document doc = Read(bomb, kDocxMime);
  EXPECT_TRUE(doc.truncated);
  EXPECT_EQ(doc.text.size(), Options().max_text);
  EXPECT_EQ(doc.text.rfind("lorem ipsum dolor sit amet ", 0), 0u);
  // The text itself and a few buffers; nothing proportional to the member.
  EXPECT_LT(PeakRssKiB() - before, 64 * 1024);

  // A part limit smaller than the text: the read stops at the limit.
  Options small;
  small.max_part_size = 1 << 20;
  const Document cut = Read(bomb, kDocxMime, small);
  EXPECT_TRUE(cut.truncated);
  EXPECT_GT(cut.text.size(), size_t{900} << 10);
  EXPECT_LT(cut.text.size(), size_t{1} << 20);
}

TEST(OfficeBombTest, MarkupWithoutTextStopsAtThePartLimit) {
  // Millions of empty paragraphs produce no text, so only the part limit ends the read.
  std::string body;
  for (int i = 0; i < 400000; ++i) body += "<w:p/>";
  Options options;
  options.max_part_size = 512 << 10;
  const Document doc = Read(DocxWithDocument(WordDocument("", body)), kDocxMime, options);
  EXPECT_TRUE(doc.truncated);
  EXPECT_TRUE(doc.text.empty());
  options.max_part_size = Options().max_part_size;
  options.max_total_size = 256 << 10;
  EXPECT_TRUE(Read(DocxWithDocument(WordDocument("", body)), kDocxMime, options).truncated);
}

TEST(OfficeHostileTest, ACentralDirectoryThatCouldBeHugeIsRefused) {
  // A 9 MiB member, then a directory record claiming to span it: libarchive would walk it all.
  std::vector<PackageMember> members = archivum::testing::DocxMembers({"Words"});
  std::string filler(size_t{9} << 20, 'x');
  members.insert(members.begin(), {"filler.bin", filler, true});
  std::string zip = archivum::testing::WritePackage(members);
  EXPECT_EQ(Read(zip, kDocxMime).text, "Words");  // the honest directory is small
  const size_t eocd = zip.rfind("PK\5\6");
  ASSERT_NE(eocd, std::string::npos);
  const uint32_t claimed = (9u << 20) + 4096;
  for (int i = 0; i < 4; ++i) zip[eocd + 12 + i] = static_cast<char>((claimed >> (8 * i)) & 0xFF);
  const Failure failure = ReadFailure(zip, kDocxMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_NE(failure.message.find("central directory"), std::string::npos) << failure.message;
}

TEST(OfficeHostileTest, TruncatedFilesFailCleanly) {
  const std::vector<std::pair<std::string, const char*>> documents = {
      {archivum::testing::MakeDocx({"Some text", "More text"}, {}, {{}, "Header", "", "", ""}),
       kDocxMime},
      {archivum::testing::MakeXlsx({{"S", {{"a", "1"}}}}), kXlsxMime},
      {archivum::testing::MakePptx({{"Slide"}}), kPptxMime},
      {archivum::testing::MakeOdt({"Text"}), kOdtMime},
      {archivum::testing::MakeEpub({{"One", {"Text"}}}), kEpubMime},
  };
  for (const auto& [bytes, mime] : documents) {
    for (size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 97) {
      const Failure failure = ReadFailure(bytes.substr(0, cut), mime);
      // Every cut loses the end of central directory: not a readable ZIP.
      EXPECT_EQ(failure.code, ARCHIVUM_ERROR) << mime << " cut at " << cut;
      EXPECT_EQ(failure.message.rfind("not a readable ", 0), 0u) << failure.message;
    }
    EXPECT_EQ(ReadFailure(bytes, mime).code, ARCHIVUM_OK) << mime;
  }
}

TEST(OfficeHostileTest, DamagedMembersFailCleanly) {
  const std::string docx = archivum::testing::MakeDocx({"Some text for the body"});
  std::mt19937 random(7);
  int failures = 0;
  for (int i = 0; i < 200; ++i) {
    std::string damaged = docx;
    for (int k = 0; k < 8; ++k) {
      damaged[random() % damaged.size()] = static_cast<char>(random());
    }
    const Failure failure = ReadFailure(damaged, kDocxMime);
    EXPECT_TRUE(failure.code == ARCHIVUM_OK || failure.code == ARCHIVUM_ERROR) << failure.code;
    if (failure.code == ARCHIVUM_ERROR) {
      ++failures;
      EXPECT_EQ(failure.message.rfind("not a readable DOCX: ", 0), 0u) << failure.message;
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(OfficeHostileTest, RandomBytesAreNotAPackage) {
  std::mt19937 random(11);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  Failure failure = ReadFailure(bytes, kDocxMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_EQ(failure.message.rfind("not a readable DOCX: not a ZIP archive", 0), 0u)
      << failure.message;
  failure = ReadFailure("", kOdtMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_EQ(failure.message.rfind("not a readable ODT: not a ZIP archive", 0), 0u)
      << failure.message;
  // Of another type, it is declined as not for this plugin.
  for (const char* mime : {"", "text/plain", "application/octet-stream", "application/encrypted"}) {
    failure = ReadFailure(bytes, mime);
    EXPECT_EQ(failure.code, ARCHIVUM_UNSUPPORTED) << mime;
    EXPECT_EQ(failure.message.rfind("not an office document: not a ZIP archive", 0), 0u)
        << failure.message;
  }
}

TEST(OfficeHostileTest, PackagesWithoutTheirMainPartAreNamed) {
  const auto without = [](std::vector<PackageMember> members, std::string_view name) {
    std::erase_if(members, [name](const PackageMember& m) { return m.name == name; });
    return archivum::testing::WritePackage(members);
  };
  const std::vector<std::tuple<std::string, const char*, std::string>> cases = {
      {without(archivum::testing::DocxMembers({"x"}), "word/document.xml"), kDocxMime,
       "not a readable DOCX: word/document.xml missing"},
      {without(archivum::testing::XlsxMembers({{"S", {{"a"}}}}), "xl/workbook.xml"), kXlsxMime,
       "not a readable XLSX: xl/workbook.xml missing"},
      {without(archivum::testing::PptxMembers({{"x"}}), "ppt/presentation.xml"), kPptxMime,
       "not a readable PPTX: ppt/presentation.xml missing"},
      {without(archivum::testing::OdtMembers({"x"}), "content.xml"), kOdtMime,
       "not a readable ODT: content.xml missing"},
      {without(archivum::testing::EpubMembers({{"x", {"y"}}}), "META-INF/container.xml"), kEpubMime,
       "not a readable EPUB: META-INF/container.xml missing"},
      {without(archivum::testing::EpubMembers({{"x", {"y"}}}), "OEBPS/content.opf"), kEpubMime,
       "not a readable EPUB: OEBPS/content.opf missing"},
  };
  for (const auto& [bytes, mime, message] : cases) {
    const Failure failure = ReadFailure(bytes, mime);
    EXPECT_EQ(failure.code, ARCHIVUM_ERROR) << message;
    EXPECT_EQ(failure.message, message);
  }
  // A ZIP of another type that is no office package is declined.
  const Failure other =
      ReadFailure(archivum::testing::WritePackage({{"readme.txt", "hello"}}), "application/zip");
  EXPECT_EQ(other.code, ARCHIVUM_UNSUPPORTED);
  EXPECT_EQ(other.message,
            "not an office document: neither a mimetype member nor [Content_Types].xml");
}

TEST(OfficeHostileTest, MalformedMainPartsAreErrorsWithTheirLine) {
  const Failure failure = ReadFailure(
      DocxWithDocument(WordDocument("", "<w:p><w:r><w:t>open\n</w:r></w:p>")), kDocxMime);
  EXPECT_EQ(failure.code, ARCHIVUM_ERROR);
  EXPECT_EQ(failure.message.rfind("not a readable DOCX: word/document.xml: line 3: ", 0), 0u)
      << failure.message;
  std::vector<PackageMember> odt = archivum::testing::OdtMembers({"x"});
  archivum::testing::SetMember(odt, "content.xml", "not xml at all");
  EXPECT_EQ(ReadFailure(archivum::testing::WritePackage(odt), kOdtMime)
                .message.rfind("not a readable ODT: content.xml: line 1: ", 0),
            0u);
  // Broken metadata alone does not hide the content.
  std::vector<PackageMember> docx = archivum::testing::DocxMembers({"Body"});
  archivum::testing::SetMember(docx, "docProps/core.xml", "<cp:coreProperties");
  EXPECT_EQ(Read(archivum::testing::WritePackage(docx), kDocxMime).text, "Body");
}

TEST(OfficeHostileTest, CancellationStopsTheRead) {
  std::vector<std::string> paragraphs(20000, "A paragraph of some length to fill the part");
  const std::string docx = archivum::testing::MakeDocx(paragraphs);
  int polls = 0;
  try {
    Extract(docx, kDocxMime, {}, [&polls] { return ++polls > 3; });
    ADD_FAILURE() << "not cancelled";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_CANCELLED);
  }
  EXPECT_EQ(polls, 4);
}

}  // namespace
}  // namespace archivum::bundled::office
