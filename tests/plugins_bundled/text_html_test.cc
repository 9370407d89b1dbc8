// HTML: HtmlToText (plugins/common/html_text.h, Gumbo) and the text plugin's HTML path: character
// references, dropped script and style, reading order, metadata findings, declared charsets, and
// the parser's memory and CPU budgets.
#include <gtest/gtest.h>

#include <string>

#include "common/html_text.h"
#include "plugins_bundled/text_test_util.h"
#include "support/documents/text_documents.h"
#include "text/html_document.h"

namespace archivum::bundled::text {
namespace {

using archivum::testing::EncodeText;
using archivum::testing::HtmlPage;
using archivum::testing::Language;
using archivum::testing::MakeHtml;
using archivum::testing::SampleText;
using testing::Extract;
using testing::Extraction;
using testing::WellFormed;

TEST(HtmlToTextTest, DecodesEveryKindOfCharacterReference) {
  const HtmlText h = HtmlToText(
      "<p>&NotEqualTilde; &amp; &#x1F600; &#128512; &eacute; &lt;b&gt; &nbsp;x &#39; "
      "&CounterClockwiseContourIntegral; &amp &notit; &#0; &#xD800;</p>");
  // U+2242 U+0338, &, 😀 twice, é, <b>, NBSP, ', U+2233; "&amp" without ';' is still '&' (a
  // legacy reference), "&notit;" is "¬it;" (the longest legacy prefix), &#0; and a surrogate
  // are U+FFFD.
  EXPECT_EQ(h.text,
            "\xe2\x89\x82\xcc\xb8 & \xf0\x9f\x98\x80 \xf0\x9f\x98\x80 \xc3\xa9 <b> \xc2\xa0x ' "
            "\xe2\x88\xb3 & \xc2\xacit; \xef\xbf\xbd \xef\xbf\xbd");
}

TEST(HtmlToTextTest, OverlongNumericReferencesStayWellFormed) {
  // Gumbo 0.10 overflows on these and returns bytes that are not UTF-8; the spec says U+FFFD.
  const HtmlText h = HtmlToText(
      "<title>&#x1F600BBBB;</title><meta name=author content='&#99999999999;'>"
      "<p>Menu &#x1F600BBBB; &#4294967296;</p>");
  EXPECT_TRUE(WellFormed(h.text)) << h.text;
  EXPECT_TRUE(WellFormed(h.title)) << h.title;
  ASSERT_EQ(h.meta.size(), 1u);
  EXPECT_TRUE(WellFormed(h.meta[0].second)) << h.meta[0].second;
  EXPECT_EQ(h.text.substr(0, h.title.size()), h.title);
}

TEST(HtmlToTextTest, ScriptStyleAndTemplatesAreNotText) {
  const HtmlText h = HtmlToText(
      "<html><head><style>body { color: red; }</style><script>var hidden = 1;</script></head>"
      "<body>seen<script>document.write('<p>hidden</p>')</script><noscript>also</noscript>"
      "<template><p>template</p></template><noframes><p>frames</p></noframes> too</body></html>");
  EXPECT_EQ(h.text, "seen too");
}

TEST(HtmlToTextTest, BlockElementsEndLinesInlineElementsDoNot) {
  const HtmlText h = HtmlToText(
      "<figure>Figure</figure><figcaption>Caption</figcaption><main>Main</main>"
      "<center>Center</center><details><summary>Summary</summary>Details</details>"
      "<dialog>Dialog</dialog><p><b>bold</b>face and <a href='x'>a link</a></p>"
      "<table><tr><td>a</td><td>b</td></tr></table><pre>  kept\n  as is</pre>");
  EXPECT_EQ(h.text,
            "Figure\nCaption\nMain\nCenter\nSummary\nDetails\nDialog\nboldface and a link\n"
            "a\tb\n  kept\n  as is");
}

TEST(HtmlToTextTest, TitleLanguageMetaAndDeclaredCharset) {
  const HtmlText h = HtmlToText(
      "<html lang=' de-AT '><head><title>  Eine\n Seite </title><meta charset=' KOI8-R '>"
      "<meta name='Author' content='Ann'><meta name='keywords' content='x, y'></head>"
      "<body>Text</body></html>");
  EXPECT_EQ(h.title, "Eine Seite");
  EXPECT_EQ(h.language, "de-AT");
  EXPECT_EQ(h.charset, "KOI8-R");
  ASSERT_EQ(h.meta.size(), 2u);
  EXPECT_EQ(h.meta[0], (std::pair<std::string, std::string>{"author", "Ann"}));
  EXPECT_EQ(h.text, "Eine Seite\nText");  // the title is the first line
}

TEST(HtmlToTextTest, CharsetOfAContentTypeDeclaration) {
  const auto charset = [](const std::string& content) {
    return HtmlToText("<head><meta http-equiv='Content-Type' content='" + content + "'></head>")
        .charset;
  };
  EXPECT_EQ(charset("text/html; charset=koi8-r"), "koi8-r");
  EXPECT_EQ(charset("text/html;CHARSET = \"Shift_JIS\" ; x=y"), "Shift_JIS");
  EXPECT_EQ(charset("text/html; charset"), "");
  EXPECT_EQ(charset("text/html; charsetx; charset=big5"), "big5");
  EXPECT_EQ(charset("text/html; charset=\"unterminated"), "");
  EXPECT_EQ(HtmlToText("<meta http-equiv=refresh content='charset=x'>").charset, "");
}

TEST(HtmlToTextTest, DeepNestingIsCutWithinTheCpuBudget) {
  // Gumbo's tree construction is quadratic in the nesting depth: 2 MB of unclosed <div> would take
  // hours. The budget stops it, and a short prefix is read instead. (Without the budget this test
  // runs into its time-out.)
  std::string html;
  while (html.size() < (size_t{2} << 20)) html += "<div>x";
  HtmlLimits limits;
  limits.max_cpu = std::chrono::milliseconds(300);
  const HtmlText h = HtmlToText(html, limits);
  EXPECT_TRUE(h.truncated);
  EXPECT_FALSE(h.cancelled);
  ASSERT_GE(h.text.size(), 1000u);
  EXPECT_EQ(h.text.substr(0, 3), "x\nx");
}

TEST(HtmlToTextTest, MemoryBudgetCutsTheDocument) {
  // Dense markup takes about 100 bytes of parser memory per byte.
  std::string html;
  while (html.size() < (size_t{4} << 20)) html += "<p>a";
  HtmlLimits limits;
  limits.max_memory = size_t{16} << 20;
  const HtmlText h = HtmlToText(html, limits);
  EXPECT_TRUE(h.truncated);
  EXPECT_GT(h.text.size(), 10000u);
  EXPECT_LT(h.text.size(), html.size() / 2);
  EXPECT_EQ(h.text.substr(0, 5), "a\na\na");
  // Within the budget nothing is cut.
  const HtmlText small = HtmlToText(html.substr(0, 40000), limits);
  EXPECT_FALSE(small.truncated);
  EXPECT_EQ(small.text.size(), 20000u - 1);  // 10000 lines "a"
}

TEST(HtmlToTextTest, CancellationStopsTheParse) {
  std::string html;
  while (html.size() < (size_t{1} << 20)) html += "<p>a";
  HtmlLimits limits;
  int polls = 0;
  limits.cancelled = [&polls] { return ++polls > 3; };
  const HtmlText h = HtmlToText(html, limits);
  EXPECT_TRUE(h.cancelled);
  EXPECT_TRUE(h.text.empty());
  EXPECT_EQ(polls, 4);
}

// ---- Through the plugin's extraction ----

TEST(TextHtmlTest, FindingsFollowTheVocabulary) {
  HtmlPage page;
  page.lang = "pt_BR";
  page.title = "Caf&eacute; &amp; Bar";
  page.author = "Jane Doe";
  page.keywords = "coffee, bar";
  page.description = "A small caf&eacute;";
  page.head = "<meta name=\"author\" content=\"John Roe\"><meta name=\"keywords\" content=\"tea\">";
  page.body = "<h1>Menu</h1><p>Fish &amp; chips</p>";
  const Extraction e = Extract(MakeHtml(page), "text/html; charset=utf-8");
  ASSERT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, "Caf\xc3\xa9 & Bar\nMenu\nFish & chips");
  EXPECT_EQ(e.Finding("title"), "Caf\xc3\xa9 & Bar");
  EXPECT_EQ(e.Finding("language"), "pt-BR");
  EXPECT_EQ(e.All("author"), (std::vector<std::string>{"Jane Doe", "John Roe"}));
  EXPECT_EQ(e.Finding("keywords"), "coffee, bar, tea");
  EXPECT_EQ(e.Finding("subject"), "A small caf\xc3\xa9");
  EXPECT_EQ(e.Finding("charset"), "us-ascii");
  EXPECT_EQ(e.Finding("lines"), "12");
}

TEST(TextHtmlTest, NoFindingForWhatTheDocumentDoesNotState) {
  const Extraction e = Extract("<p lang=en>just text</p>", "text/html");
  EXPECT_EQ(e.text, "just text");
  for (const char* key : {"title", "language", "author", "keywords", "subject", "truncated"}) {
    EXPECT_TRUE(e.All(key).empty()) << key;
  }
  EXPECT_TRUE(Extract("<html lang='not a tag'>x</html>", "text/html").All("language").empty());
}

TEST(TextHtmlTest, ScriptsAndStylesAreDropped) {
  HtmlPage page;
  page.head =
      "<style>body { color: red; }</style>\n"
      "<script type=\"text/javascript\">if (a < b && c > d) alert(\"x\");</script>";
  page.body = "<p>1 &lt; 2</p><SCRIPT>document.write(\"<p>hidden</p>\")</SCRIPT><p>3 > 2</p>";
  const Extraction e = Extract(MakeHtml(page), "text/html");
  EXPECT_EQ(e.text, "1 < 2\n3 > 2");
}

TEST(TextHtmlTest, MetaCharsetDecidesALegacyEncoding) {
  HtmlPage page;
  page.charset = "windows-1251";
  page.title = "Прогулка";
  page.body = "<p>" + std::string(SampleText(Language::kRussian)) + "</p>";
  const Extraction e = Extract(EncodeText(MakeHtml(page), "windows-1251"), "text/html");
  EXPECT_EQ(e.Finding("charset"), "windows-1251");
  EXPECT_EQ(e.Finding("title"), "Прогулка");
  EXPECT_NE(e.text.find("Листья уже пожелтели"), std::string::npos) << e.text;

  // The declaration wins over the detector: these cp1251 bytes declared as KOI8-R are read as
  // KOI8-R (the document's own statement), not as what uchardet would guess.
  page.charset = "koi8-r";
  const Extraction declared = Extract(EncodeText(MakeHtml(page), "windows-1251"), "text/html");
  EXPECT_EQ(declared.Finding("charset"), "koi8-r");
  EXPECT_EQ(declared.text.find("Листья"), std::string::npos);

  // An http-equiv declaration, read the same way.
  const std::string koi8 =
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">"
      "</head><body>" +
      EncodeText(SampleText(Language::kRussian), "KOI8-R") + "</body></html>";
  const Extraction equiv = Extract(koi8, "text/html");
  EXPECT_EQ(equiv.Finding("charset"), "koi8-r");
  EXPECT_EQ(equiv.text + "\n", SampleText(Language::kRussian));
}

TEST(TextHtmlTest, UndeclaredLegacyHtmlIsDetected) {
  HtmlPage page;
  page.body = "<p>" + std::string(SampleText(Language::kJapanese)) + "</p>";
  const Extraction e = Extract(EncodeText(MakeHtml(page), "EUC-JP"), "text/html");
  EXPECT_EQ(e.Finding("charset"), "euc-jp");
  EXPECT_EQ(e.text + "\n", SampleText(Language::kJapanese));
}

TEST(TextHtmlTest, ValidUtf8BeatsAContraryDeclaration) {
  HtmlPage page;
  page.charset = "iso-8859-1";
  page.body = "<p>" + std::string(SampleText(Language::kGerman)) + "</p>";
  const Extraction e = Extract(MakeHtml(page), "text/html");
  EXPECT_EQ(e.Finding("charset"), "utf-8");
  EXPECT_EQ(e.text + "\n", SampleText(Language::kGerman));
}

TEST(TextHtmlTest, Utf16HtmlWithBom) {
  HtmlPage page;
  page.title = "Заголовок";
  page.body = "<p>Текст</p>";
  const Extraction e = Extract(EncodeText(MakeHtml(page), "UTF-16LE", true), "text/html");
  EXPECT_EQ(e.Finding("charset"), "utf-16le");
  EXPECT_EQ(e.Finding("title"), "Заголовок");
  EXPECT_EQ(e.text, "Заголовок\nТекст");
}

TEST(TextHtmlTest, TextCapAndParserLimitsAreReported) {
  std::string html;
  while (html.size() < 100000) html += "<p>word</p>";
  Options options;
  options.max_text = 1000;
  const Extraction e = Extract(html, "text/html", options);
  EXPECT_EQ(e.Finding("truncated"), "true");
  EXPECT_LE(e.text.size(), 1000u);
  EXPECT_TRUE(WellFormed(e.text));
}

TEST(TextHtmlTest, LargeLegacyHtmlIsReadAsFarAsTheParserGoes) {
  const std::string paragraph = "<p>" + std::string(SampleText(Language::kRussian)) + "</p>";
  HtmlPage page;
  page.charset = "windows-1251";
  while (page.body.size() < MaxHtmlInput() * 2) page.body += paragraph;
  const Extraction e = Extract(EncodeText(MakeHtml(page), "windows-1251"), "text/html");
  EXPECT_EQ(e.Finding("charset"), "windows-1251");
  EXPECT_EQ(e.Finding("truncated"), "true");
  EXPECT_EQ(e.text.substr(0, 20), SampleText(Language::kRussian).substr(0, 20));
  EXPECT_GT(e.text.size(), MaxHtmlInput() / 2);
  EXPECT_TRUE(WellFormed(e.text));
}

TEST(TextHtmlTest, DeclaredCharsetIsReadFromTheStartOnly) {
  EXPECT_EQ(HtmlDeclaredCharset("<meta charset=gb18030><p>\xd6\xd0</p>"), "gb18030");
  EXPECT_EQ(HtmlDeclaredCharset(std::string(kHtmlPrescanBytes, ' ') + "<meta charset=gb18030>"),
            "");
}

}  // namespace
}  // namespace archivum::bundled::text
