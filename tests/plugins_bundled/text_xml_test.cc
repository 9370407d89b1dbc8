// XML through the text plugin (libxml2): character data, declared encodings, xml:lang, malformed
// documents, and entity attacks (external entities, external DTDs, billion laughs) kept inert.
#include <gtest/gtest.h>

#include <string>

#include "plugins_bundled/text_test_util.h"
#include "support/documents/text_documents.h"
#include "support/temp_dir.h"
#include "text/xml_document.h"

namespace archivum::bundled::text {
namespace {

using archivum::testing::EncodeText;
using archivum::testing::Language;
using archivum::testing::SampleText;
using archivum::testing::TempDir;
using testing::Extract;
using testing::Extraction;

constexpr char kSecret[] = "SECRET-MARKER-7f3a";

Extraction ExtractXml(std::string_view xml, const Options& options = {}) {
  return Extract(xml, "application/xml", options);
}

TEST(TextXmlTest, CharacterDataAndCdata) {
  const Extraction e = ExtractXml(
      "<?xml version=\"1.0\"?><note><to>Tove</to><from>Jani</from>"
      "<body><![CDATA[x < y & z]]> &amp; more<!-- not text --><?pi not text?></body></note>");
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, "Tove Jani x < y & z & more");
  EXPECT_EQ(e.Finding("charset"), "us-ascii");
  EXPECT_TRUE(e.All("truncated").empty());
}

TEST(TextXmlTest, WhiteSpaceCollapsesAndLineBreaksSurvive) {
  const Extraction e = ExtractXml(
      "<rows>\n  <row><name>Ann</name><city>Oslo</city></row>\n"
      "  <row><name>Bob</name>\t<city>  Rome  </city></row>\n</rows>\n");
  EXPECT_EQ(e.text, "Ann Oslo\nBob Rome");
  EXPECT_EQ(e.Finding("lines"), "4");
}

TEST(TextXmlTest, XmlLangOfTheRootIsTheLanguage) {
  EXPECT_EQ(
      ExtractXml("<doc xml:lang=\"en-GB\"><p xml:lang=\"fr\">x</p></doc>").Finding("language"),
      "en-GB");
  EXPECT_TRUE(ExtractXml("<doc><p xml:lang=\"fr\">x</p></doc>").All("language").empty());
  // Also from the recovering parser.
  EXPECT_EQ(ExtractXml("<doc xml:lang=\"de\"><p>x</doc>").Finding("language"), "de");
}

TEST(TextXmlTest, DeclaredEncodingsAreDecoded) {
  const std::string_view japanese = SampleText(Language::kJapanese);
  const Extraction sjis = ExtractXml(EncodeText(
      "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<doc>" + std::string(japanese) + "</doc>",
      "Shift_JIS"));
  EXPECT_EQ(sjis.Finding("charset"), "shift_jis");
  EXPECT_EQ(sjis.text + "\n", japanese);

  // The declaration wins over the detector (which would say windows-1251 here).
  const std::string russian = "<doc>" + std::string(SampleText(Language::kRussian)) + "</doc>";
  const Extraction koi8 =
      ExtractXml(EncodeText("<?xml version='1.0' encoding='KOI8-R'?>" + russian, "KOI8-R"));
  EXPECT_EQ(koi8.Finding("charset"), "koi8-r");
  EXPECT_EQ(koi8.text + "\n", SampleText(Language::kRussian));

  // No declaration: detected.
  const Extraction detected = ExtractXml(EncodeText(russian, "windows-1251"));
  EXPECT_EQ(detected.Finding("charset"), "windows-1251");
  EXPECT_EQ(detected.text + "\n", SampleText(Language::kRussian));

  // UTF-16 with a byte-order mark; its declaration says so too.
  const Extraction utf16 = ExtractXml(EncodeText(
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><doc>" + std::string(japanese) + "</doc>",
      "UTF-16LE", true));
  EXPECT_EQ(utf16.Finding("charset"), "utf-16le");
  EXPECT_EQ(utf16.text + "\n", japanese);

  EXPECT_EQ(XmlDeclaredCharset("<?xml version='1.0' encoding='ISO-8859-2'?><a/>"), "ISO-8859-2");
  EXPECT_EQ(XmlDeclaredCharset("<a encoding='ISO-8859-2'/>"), "");
  EXPECT_EQ(XmlDeclaredCharset("<?xml version='1.0' encoding='x-no-such'?><a/>"), "");
}

TEST(TextXmlTest, ExternalEntitiesAreNeverRead) {
  const TempDir dir;
  const std::string secret = dir.Write("secret.txt", kSecret).string();
  const Extraction e = ExtractXml(archivum::testing::ExternalEntityXml("file://" + secret));
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, "before after");
  // A relative system identifier or a plain path is not read either.
  const Extraction path = ExtractXml(archivum::testing::ExternalEntityXml(secret));
  EXPECT_EQ(path.text.find(kSecret), std::string::npos);
}

TEST(TextXmlTest, ExternalDtdsAreNeverLoaded) {
  const TempDir dir;
  const std::string secret = dir.Write("secret.txt", kSecret).string();
  const std::string dtd = dir.Write("ext.dtd",
                                    "<!ENTITY dtdent \"FROM-DTD\">\n"
                                    "<!ENTITY leak SYSTEM \"file://" +
                                        secret + "\">\n")
                              .string();
  for (const std::string& xml : {archivum::testing::ExternalDtdXml("file://" + dtd),
                                 archivum::testing::ExternalParameterEntityXml("file://" + dtd)}) {
    const Extraction e = ExtractXml(xml);
    EXPECT_EQ(e.outcome, Outcome::kText);
    EXPECT_EQ(e.text.find("FROM-DTD"), std::string::npos) << e.text;
    EXPECT_EQ(e.text.find(kSecret), std::string::npos) << e.text;
    EXPECT_NE(e.text.find("before"), std::string::npos) << e.text;
  }
}

TEST(TextXmlTest, EntityExpansionAttacksStayInert) {
  // 10^9 "lol"s if expanded; a few bytes here.
  const Extraction laughs = ExtractXml(archivum::testing::BillionLaughsXml(10));
  EXPECT_EQ(laughs.outcome, Outcome::kText);
  EXPECT_EQ(laughs.text.substr(0, 5), "start");
  EXPECT_LT(laughs.text.size(), 1000u);
  // 1 MB of entity referenced 20000 times would be 20 GB.
  const Extraction quadratic =
      ExtractXml(archivum::testing::QuadraticBlowupXml(size_t{1} << 20, 20000));
  EXPECT_EQ(quadratic.outcome, Outcome::kText);
  EXPECT_LE(quadratic.text.size(), (size_t{1} << 20) + 100);
}

TEST(TextXmlTest, MalformedXmlGivesTheTextLibxml2Recovers) {
  const Extraction e =
      ExtractXml("<?xml version=\"1.0\"?><r><a>one</a><b>two<c>three</b> four &bogus; five</r");
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, "one two three four five");
  // Content after the root element ends the recovery.
  EXPECT_EQ(ExtractXml("<r>one</r><r>two</r>").text, "one");
  // Not XML at all.
  EXPECT_EQ(ExtractXml("just words, no markup").text, "");
}

TEST(TextXmlTest, TruncatedXmlKeepsItsText) {
  const std::string xml = "<doc><p>alpha</p><p>beta</p><p>gamma</p></doc>";
  Options options;
  options.max_bytes = xml.find("gamma") + 3;
  const Extraction e = ExtractXml(xml, options);
  EXPECT_EQ(e.text, "alpha beta gam");
  EXPECT_EQ(e.Finding("truncated"), "true");
}

TEST(TextXmlTest, TextCapStopsReading) {
  std::string xml = "<doc>";
  for (int i = 0; i < 10000; ++i) xml += "<w>word</w>";
  xml += "</doc>";
  Options options;
  options.max_text = 100;
  const Extraction e = ExtractXml(xml, options);
  EXPECT_EQ(e.Finding("truncated"), "true");
  EXPECT_LE(e.text.size(), 100u);
  EXPECT_EQ(e.text.substr(0, 9), "word word");
}

TEST(TextXmlTest, NestingBeyondLibxml2sLimitIsRecovered) {
  std::string xml;
  for (int i = 0; i < 5000; ++i) xml += "<a>";
  xml += "deep";
  for (int i = 0; i < 5000; ++i) xml += "</a>";
  const Extraction e = ExtractXml(xml);
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_TRUE(testing::WellFormed(e.text));
}

TEST(TextXmlTest, Libxml2PrintsNothing) {
  // Errors without a parser context (here: the declared charset fails on the prefix) go to
  // libxml2's thread-wide handler, which prints to stderr unless silenced.
  ::testing::internal::CaptureStderr();
  const Extraction e =
      ExtractXml("<?xml version='1.0' encoding='Shift_JIS'?><r>\x82\x1b$B]]>\xf5\x82\xa2</r");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(e.outcome, Outcome::kText);
}

TEST(TextXmlTest, CancellationIsHonoured) {
  std::string xml = "<doc>";
  while (xml.size() < (size_t{3} << 20)) xml += "<w>word</w>";
  xml += "</doc>";
  Extraction e;
  testing::RecordingTextSink sink(e, SIZE_MAX, /*cancel_after=*/2);
  EXPECT_EQ(ExtractText(xml, "application/xml", Options{}, sink), Outcome::kCancelled);
}

}  // namespace
}  // namespace archivum::bundled::text
