// The text plugin: charsets, markup, limits and binary detection.
#include <gtest/gtest.h>

#include <string>

#include "archivum/plugin.hpp"
#include "text/charset.h"
#include "text/markup.h"
#include "text/text_extractor.h"

namespace archivum::bundled::text {
namespace {

using namespace std::string_literals;

Extraction Extract(std::string_view content, std::string_view mime = "text/plain",
                   Options options = {}) {
  return ExtractText(content, mime, options, [] { return false; });
}

TEST(TextTest, PlainAsciiPassesThrough) {
  const Extraction e = Extract("int main() {\n  return 0;\n}\n", "text/x-c");
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, "int main() {\n  return 0;\n}\n");
  EXPECT_EQ(e.charset, "us-ascii");
  EXPECT_EQ(e.lines, 3u);
  EXPECT_FALSE(e.truncated);
}

TEST(TextTest, CountsLinesLikeAnEditor) {
  EXPECT_EQ(Extract("").lines, 0u);
  EXPECT_EQ(Extract("one").lines, 1u);
  EXPECT_EQ(Extract("one\n").lines, 1u);
  EXPECT_EQ(Extract("one\r\ntwo\rthree\n\n").lines, 4u);
}

TEST(TextTest, EveryPositionOfSpecialBytesInLongAsciiRuns) {
  // Long ASCII runs are scanned eight bytes at a time: a NUL, a multi-byte character or an
  // invalid byte must be found at every offset within such a block, and lines counted the same.
  const std::string base(9000, 'x');
  for (size_t at = 8200; at < 8224; ++at) {
    std::string nul = base;
    nul[at] = '\0';
    nul[at + 3] = '\n';
    const Extraction a = Extract(nul);
    EXPECT_EQ(a.text, base.substr(0, at) + base.substr(at + 1, 2) + "\n" + base.substr(at + 4))
        << "NUL at " << at;
    EXPECT_EQ(a.charset, "us-ascii");
    EXPECT_EQ(a.lines, 2u);

    std::string utf8 = base;
    utf8.replace(at, 2, "\xc3\xa9");  // é
    const Extraction b = Extract(utf8);
    EXPECT_EQ(b.text, utf8) << "U+00E9 at " << at;
    EXPECT_EQ(b.charset, "utf-8");
    EXPECT_EQ(b.lines, 1u);

    std::string invalid = base;
    invalid.replace(at, 6, "\xc3\xa9\xc3\xa9\xff!");  // two valid characters, one invalid byte
    const Extraction c = Extract(invalid);
    EXPECT_EQ(c.text, base.substr(0, at) + "\xc3\xa9\xc3\xa9\xef\xbf\xbd!" + base.substr(at + 6))
        << "0xFF at " << at + 4;
    EXPECT_EQ(c.charset, "utf-8");
  }
  // Line ends: LF only (counted in bulk) and with CRs (counted one by one) agree.
  EXPECT_EQ(Extract(base + "\n" + base + "\n" + base).lines, 3u);
  EXPECT_EQ(Extract(base + "\r\n" + base + "\r" + base + "\n").lines, 3u);
}

TEST(TextTest, ValidUtf8IsKept) {
  const Extraction e = Extract("Gr\xc3\xbc\xc3\x9f\x65 \xe2\x82\xac \xf0\x9f\x98\x80\n");
  EXPECT_EQ(e.charset, "utf-8");
  EXPECT_EQ(e.text, "Gr\xc3\xbc\xc3\x9f\x65 \xe2\x82\xac \xf0\x9f\x98\x80\n");
}

TEST(TextTest, Utf8BomIsRemoved) {
  const Extraction e = Extract("\xef\xbb\xbfna\xc3\xafve");
  EXPECT_EQ(e.charset, "utf-8");
  EXPECT_EQ(e.text, "na\xc3\xafve");
}

TEST(TextTest, InvalidUtf8SequencesBecomeReplacementCharacters) {
  // Mostly valid UTF-8 (ä ö ü é ß) with one stray byte and one truncated sequence.
  const std::string input =
      "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\xa9\xc3\x9f \xff ok \xe2\x82 end \xc3\xa4\xc3\xb6\xc3\xbc";
  const Extraction e = Extract(input);
  EXPECT_EQ(e.charset, "utf-8");
  EXPECT_EQ(e.text,
            "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\xa9\xc3\x9f \xef\xbf\xbd ok \xef\xbf\xbd end "
            "\xc3\xa4\xc3\xb6\xc3\xbc");
}

TEST(TextTest, OverlongsAndSurrogatesAreInvalid) {
  Decoded d = *DecodeText(
      "a\xc0\xaf\xed\xa0\x80z \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
      true, nullptr);
  EXPECT_EQ(d.charset, Charset::kUtf8);
  // C0 AF: two invalid bytes; ED A0 80: a surrogate, replaced per maximal subpart (3 x U+FFFD
  // would also be acceptable to a reader, but this decoder follows Unicode's recommendation).
  EXPECT_EQ(d.text.substr(0, 1), "a");
  EXPECT_EQ(d.replaced, 5u);
}

TEST(TextTest, Latin1FallbackWhenMostNonAsciiBytesAreInvalid) {
  const Extraction e = Extract("caf\xe9 cr\xe8me br\xfbl\xe9\x65 \x80 5\n");
  EXPECT_EQ(e.charset, "iso-8859-1");
  // é è û é as UTF-8; 0x80 is the euro sign in windows-1252, as browsers decode "iso-8859-1".
  EXPECT_EQ(e.text, "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65 \xe2\x82\xac 5\n");
}

TEST(TextTest, Utf16LittleEndianWithBom) {
  const std::string input = "\xff\xfeH\0i\0 \0\xac\x20\n\0"s;  // "Hi €\n"
  const Extraction e = Extract(input);
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.charset, "utf-16le");
  EXPECT_EQ(e.text, "Hi \xe2\x82\xac\n");
}

TEST(TextTest, Utf16BigEndianWithSurrogatePair) {
  const std::string input = "\xfe\xff\0O\0k\xd8\x3d\xde\x00\xdc\x00"s;  // "Ok😀" + lone low half
  const Extraction e = Extract(input);
  EXPECT_EQ(e.charset, "utf-16be");
  EXPECT_EQ(e.text, "Ok\xf0\x9f\x98\x80\xef\xbf\xbd");
}

TEST(TextTest, BinaryContentIsSkipped) {
  const std::string input = "PK\x03\x04\0\0\0\0some text after"s;
  EXPECT_EQ(Extract(input).outcome, Outcome::kBinary);
  // A NUL after the first 8 KiB does not make it binary, and is dropped from the text.
  const std::string late = std::string(9000, 'a') + "\0b"s;
  const Extraction e = Extract(late);
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, std::string(9000, 'a') + "b");
}

TEST(TextTest, HtmlTagsScriptsStylesAndEntities) {
  const std::string html = R"(<!DOCTYPE html>
<html><head><title>Caf&eacute; &amp; Bar</title>
<style>body { color: red; }</style>
<script type="text/javascript">if (a < b && c > d) alert("x");</script>
</head>
<body>
  <!-- a comment that must not appear -->
  <h1>Menu</h1>
  <p>Fish &amp; chips &lt;cheap&gt; &quot;fresh&quot; &#39;daily&#39; &#8364;5 &#x263A;
  <b>bold</b>face and <a href="x.html" title="a > b">a link</a>.</p>
  <SCRIPT>document.write("<p>hidden</p>")</SCRIPT>
  <p>1 < 2</p>
</body></html>)";
  const Extraction e = Extract(html, "text/html");
  EXPECT_EQ(e.text,
            "Caf\xc3\xa9 & Bar\nMenu\nFish & chips <cheap> \"fresh\" 'daily' \xe2\x82\xac"
            "5 \xe2\x98\xba boldface and a link.\n1 < 2");
}

TEST(TextTest, XmlKeepsCharacterDataAndCdata) {
  const std::string xml =
      "<?xml version=\"1.0\"?><note><to>Tove</to><from>Jani</from>"
      "<body><![CDATA[x < y & z]]> &amp; more</body></note>";
  const Extraction e = Extract(xml, "application/xml");
  EXPECT_EQ(e.text, "Tove Jani x < y & z & more");
}

TEST(TextTest, FormatFollowsMime) {
  EXPECT_EQ(FormatForMime("text/html; charset=utf-8"), Format::kHtml);
  EXPECT_EQ(FormatForMime("TEXT/HTML"), Format::kHtml);
  EXPECT_EQ(FormatForMime("application/xhtml+xml"), Format::kHtml);
  EXPECT_EQ(FormatForMime("image/svg+xml"), Format::kXml);
  EXPECT_EQ(FormatForMime("text/xml"), Format::kXml);
  EXPECT_EQ(FormatForMime("application/json"), Format::kPlain);
  EXPECT_EQ(FormatForMime(""), Format::kPlain);
}

TEST(TextTest, InputCapTruncates) {
  Options options;
  options.max_bytes = 10;
  // The cap falls inside "é": the partial character is dropped, not replaced.
  const Extraction e = Extract("123456789\xc3\xa9xyz", "text/plain", options);
  EXPECT_TRUE(e.truncated);
  EXPECT_EQ(e.text, "123456789");
  EXPECT_EQ(e.charset, "utf-8");
}

TEST(TextTest, OutputCapTruncatesAtCharacterBoundary) {
  Options options;
  options.max_text = 5;
  const Extraction e = Extract("abcd\xe2\x82\xac", "text/plain", options);  // "abcd€"
  EXPECT_TRUE(e.truncated);
  EXPECT_EQ(e.text, "abcd");
}

TEST(TextTest, CancellationIsHonoured) {
  const std::string big(size_t{3} << 20, 'a');
  int polls = 0;
  const Extraction e = ExtractText(big, "text/plain", Options{}, [&] { return ++polls > 1; });
  EXPECT_EQ(e.outcome, Outcome::kCancelled);
}

TEST(TextTest, ChunksAreWellFormed) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "\xe2\x82\xac";  // 3-byte characters
  std::vector<std::string> pieces;
  EXPECT_TRUE(EmitInChunks(text, 64, [&](std::string_view piece) {
    pieces.emplace_back(piece);
    return true;
  }));
  std::string joined;
  for (const auto& piece : pieces) {
    EXPECT_LE(piece.size(), 64u);
    EXPECT_EQ(piece.size() % 3, 0u) << "a character was split";
    joined += piece;
  }
  EXPECT_EQ(joined, text);
  int calls = 0;
  EXPECT_FALSE(EmitInChunks(text, 64, [&](std::string_view) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
}

TEST(TextTest, CharacterReferences) {
  std::string out;
  EXPECT_EQ(DecodeCharacterReference("&#65;rest", out), 5u);
  EXPECT_EQ(DecodeCharacterReference("&#x1F600;", out), 9u);
  EXPECT_EQ(DecodeCharacterReference("&#0;", out), 4u);         // NUL: U+FFFD
  EXPECT_EQ(DecodeCharacterReference("&#xD800;", out), 8u);     // surrogate: U+FFFD
  EXPECT_EQ(DecodeCharacterReference("&#x110000;", out), 10u);  // too large: U+FFFD
  EXPECT_EQ(out, "A\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(DecodeCharacterReference("&unknown;", out), 0u);
  EXPECT_EQ(DecodeCharacterReference("&amp", out), 0u);
  EXPECT_EQ(DecodeCharacterReference("&#;", out), 0u);
  EXPECT_EQ(DecodeCharacterReference("&#xZZ;", out), 0u);
}

TEST(TextTest, ParsesAndValidatesConfig) {
  const Options defaults = ParseOptions("{}");
  EXPECT_EQ(defaults.max_bytes, 8u << 20);
  EXPECT_EQ(defaults.max_text, 4u << 20);
  const Options custom = ParseOptions(R"({"max_bytes": "64k", "max_text": 1000})");
  EXPECT_EQ(custom.max_bytes, 64u << 10);
  EXPECT_EQ(custom.max_text, 1000u);
  for (const char* bad : {R"({"max_bytes": 0})", R"({"max_text": "x"})", R"({"max": 1})"}) {
    EXPECT_THROW(ParseOptions(bad), sdk::Error) << bad;
  }
}

}  // namespace
}  // namespace archivum::bundled::text
