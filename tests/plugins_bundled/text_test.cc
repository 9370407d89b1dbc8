// The text plugin on plain text: charset detection and conversion, line counts, limits, binary
// detection, cancellation and configuration.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "archivum/plugin.hpp"
#include "plugins_bundled/text_test_util.h"
#include "support/documents/text_documents.h"
#include "text/encoding.h"
#include "text/utf8_decoder.h"

namespace archivum::bundled::text {
namespace {

using namespace std::string_literals;
using archivum::testing::EncodeText;
using archivum::testing::Language;
using archivum::testing::SampleText;
using testing::Extract;
using testing::Extraction;
using testing::WellFormed;

TEST(TextTest, PlainAsciiPassesThrough) {
  const Extraction e = Extract("int main() {\n  return 0;\n}\n", "text/x-c");
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, "int main() {\n  return 0;\n}\n");
  EXPECT_EQ(e.Finding("charset"), "us-ascii");
  EXPECT_EQ(e.Finding("lines"), "3");
  EXPECT_TRUE(e.All("truncated").empty());
}

TEST(TextTest, CountsLinesLikeAnEditor) {
  EXPECT_EQ(Extract("").Finding("lines"), "0");
  EXPECT_EQ(Extract("one").Finding("lines"), "1");
  EXPECT_EQ(Extract("one\n").Finding("lines"), "1");
  EXPECT_EQ(Extract("one\r\ntwo\rthree\n\n").Finding("lines"), "4");
  // Longer than the 255-byte blocks the LF-only count works in.
  EXPECT_EQ(Extract(std::string(1000, '\n')).Finding("lines"), "1000");
  // UTF-16 counts code units, not bytes: "a\nb\r\nc" has three lines.
  EXPECT_EQ(Extract(EncodeText("a\nb\r\nc", "UTF-16LE", true)).Finding("lines"), "3");
  EXPECT_EQ(Extract(EncodeText("a\n\xe2\x80\xa8"
                               "b",
                               "UTF-16BE", true))
                .Finding("lines"),
            "2");
}

TEST(TextTest, EveryPositionOfSpecialBytesInLongAsciiRuns) {
  // Long ASCII runs are scanned eight bytes at a time: a NUL, a multi-byte character or an
  // invalid byte must be found at every offset within such a block, and lines counted the same.
  const std::string base(9000, 'x');
  const std::string german(SampleText(Language::kGerman));
  for (size_t at = 8200; at < 8224; ++at) {
    std::string nul = base;
    nul[at] = '\0';
    nul[at + 3] = '\n';
    const Extraction a = Extract(nul);
    EXPECT_EQ(a.text, base.substr(0, at) + base.substr(at + 1, 2) + "\n" + base.substr(at + 4))
        << "NUL at " << at;
    EXPECT_EQ(a.Finding("charset"), "us-ascii");
    EXPECT_EQ(a.Finding("lines"), "2");

    std::string utf8 = base;
    utf8.replace(at, 2, "\xc3\xa9");  // é
    const Extraction b = Extract(utf8);
    EXPECT_EQ(b.text, utf8) << "U+00E9 at " << at;
    EXPECT_EQ(b.Finding("charset"), "utf-8");
    EXPECT_EQ(b.Finding("lines"), "1");

    // German UTF-8 text with one stray byte: still UTF-8 (uchardet says so), the byte replaced.
    std::string invalid = base.substr(0, at) + "\xff" + german;
    const Extraction c = Extract(invalid);
    EXPECT_EQ(c.text, base.substr(0, at) + "\xef\xbf\xbd" + german) << "0xFF at " << at;
    EXPECT_EQ(c.Finding("charset"), "utf-8");
  }
  // Line ends: LF only (counted in bulk) and with CRs (counted one by one) agree.
  EXPECT_EQ(Extract(base + "\n" + base + "\n" + base).Finding("lines"), "3");
  EXPECT_EQ(Extract(base + "\r\n" + base + "\r" + base + "\n").Finding("lines"), "3");
}

TEST(TextTest, TerminalEscapesInAsciiStayAscii) {
  // An ESC byte sends ASCII to the detector (ISO-2022 is 7-bit); colour codes are no ISO-2022.
  std::string log;
  for (int i = 0; i < 200; ++i) log += "\x1b[32mINFO\x1b[0m build step " + std::to_string(i) + "\n";
  const Extraction e = Extract(log);
  EXPECT_EQ(e.Finding("charset"), "us-ascii");
  EXPECT_EQ(e.text, log);
  EXPECT_EQ(e.Finding("lines"), "200");
}

TEST(TextTest, ValidUtf8IsKept) {
  const Extraction e = Extract("Gr\xc3\xbc\xc3\x9f\x65 \xe2\x82\xac \xf0\x9f\x98\x80\n");
  EXPECT_EQ(e.Finding("charset"), "utf-8");
  EXPECT_EQ(e.text, "Gr\xc3\xbc\xc3\x9f\x65 \xe2\x82\xac \xf0\x9f\x98\x80\n");
}

TEST(TextTest, Utf8BomIsRemoved) {
  const Extraction e = Extract("\xef\xbb\xbfna\xc3\xafve");
  EXPECT_EQ(e.Finding("charset"), "utf-8");
  EXPECT_EQ(e.text, "na\xc3\xafve");
}

TEST(TextTest, InvalidUtf8SequencesBecomeReplacementCharacters) {
  // Mostly valid UTF-8 (ä ö ü é ß) with one stray byte and one truncated sequence.
  const std::string input =
      "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\xa9\xc3\x9f \xff ok \xe2\x82 end \xc3\xa4\xc3\xb6\xc3\xbc";
  const Extraction e = Extract(input);
  EXPECT_EQ(e.Finding("charset"), "utf-8");
  EXPECT_EQ(e.text,
            "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\xa9\xc3\x9f \xef\xbf\xbd ok \xef\xbf\xbd end "
            "\xc3\xa4\xc3\xb6\xc3\xbc");
}

TEST(TextTest, Windows1252WhenTheDetectorSaysSo) {
  // The old heuristic called every non-UTF-8 text "iso-8859-1"; uchardet names the charset that
  // has the euro sign at 0x80.
  const Extraction e = Extract("caf\xe9 cr\xe8me br\xfbl\xe9\x65 \x80 5\n");
  EXPECT_EQ(e.Finding("charset"), "windows-1252");
  EXPECT_EQ(e.text, "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65 \xe2\x82\xac 5\n");
}

TEST(TextTest, Utf16LittleEndianWithBom) {
  const std::string input = "\xff\xfeH\0i\0 \0\xac\x20\n\0"s;  // "Hi €\n"
  const Extraction e = Extract(input);
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.Finding("charset"), "utf-16le");
  EXPECT_EQ(e.text, "Hi \xe2\x82\xac\n");
}

TEST(TextTest, Utf16BigEndianWithSurrogatePair) {
  const std::string input = "\xfe\xff\0O\0k\xd8\x3d\xde\x00\xdc\x00"s;  // "Ok😀" + lone low half
  const Extraction e = Extract(input);
  EXPECT_EQ(e.Finding("charset"), "utf-16be");
  EXPECT_EQ(e.text, "Ok\xf0\x9f\x98\x80\xef\xbf\xbd");
}

TEST(TextTest, BinaryContentIsSkipped) {
  const std::string input = "PK\x03\x04\0\0\0\0some text after"s;
  const Extraction binary = Extract(input);
  EXPECT_EQ(binary.outcome, Outcome::kBinary);
  EXPECT_TRUE(binary.text.empty());
  EXPECT_TRUE(binary.findings.empty());
  // A NUL after the first 8 KiB does not make it binary, and is dropped from the text.
  const std::string late = std::string(9000, 'a') + "\0b"s;
  const Extraction e = Extract(late);
  EXPECT_EQ(e.outcome, Outcome::kText);
  EXPECT_EQ(e.text, std::string(9000, 'a') + "b");
  EXPECT_EQ(e.Finding("charset"), "us-ascii");
}

TEST(TextTest, RandomBinaryIsRefused) {
  std::mt19937 random(20240301);
  for (int round = 0; round < 8; ++round) {
    std::string bytes(64 << 10, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    bytes[100] = '\0';  // a NUL early on, whatever the generator gave
    for (const char* mime : {"text/plain", "text/html", "application/xml"}) {
      EXPECT_EQ(Extract(bytes, mime).outcome, Outcome::kBinary) << mime;
    }
  }
}

TEST(TextTest, RandomBytesWithoutNulBecomeWellFormedText) {
  // Whatever the detector makes of noise, the text and every finding are well-formed UTF-8.
  std::mt19937 random(7);
  for (int round = 0; round < 6; ++round) {
    std::string bytes(16 << 10, 'x');
    for (char& c : bytes) c = static_cast<char>(1 + random() % 255);
    for (const char* mime : {"text/plain", "text/html", "application/xml"}) {
      const Extraction e = Extract(bytes, mime);
      ASSERT_EQ(e.outcome, Outcome::kText) << mime;
      EXPECT_TRUE(WellFormed(e.text)) << mime;
      EXPECT_FALSE(e.Finding("charset").empty()) << mime;
      for (const auto& [key, value] : e.findings) EXPECT_TRUE(WellFormed(value)) << key;
    }
  }
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
  EXPECT_EQ(e.Finding("truncated"), "true");
  EXPECT_EQ(e.text, "123456789");
  EXPECT_EQ(e.Finding("charset"), "utf-8");
}

TEST(TextTest, OutputCapTruncatesAtCharacterBoundary) {
  Options options;
  options.max_text = 5;
  const Extraction e = Extract("abcd\xe2\x82\xac", "text/plain", options);  // "abcd€"
  EXPECT_EQ(e.Finding("truncated"), "true");
  EXPECT_EQ(e.text, "abcd");
}

TEST(TextTest, RefusedTextEndsTheTextButKeepsTheFindings) {
  Extraction e;
  testing::RecordingTextSink sink(e, /*text_budget=*/100);
  const std::string input = std::string(300 << 10, 'a') + "\n";
  EXPECT_EQ(ExtractText(input, "text/plain", Options{}, sink), Outcome::kText);
  EXPECT_TRUE(e.text.empty());  // the first 64 KiB piece was already too much
  EXPECT_EQ(e.Finding("truncated"), "true");
  EXPECT_EQ(e.Finding("lines"), "1");
}

TEST(TextTest, CancellationIsHonoured) {
  const std::string big(size_t{3} << 20, 'a');
  Extraction e;
  testing::RecordingTextSink sink(e, SIZE_MAX, /*cancel_after=*/1);
  EXPECT_EQ(ExtractText(big, "text/plain", Options{}, sink), Outcome::kCancelled);
  // Legacy text is decoded in pieces, and polled between them.
  const std::string cp1251 = EncodeText(std::string(SampleText(Language::kRussian)), "cp1251");
  std::string many;
  while (many.size() < (size_t{3} << 20)) many += cp1251;
  Extraction f;
  testing::RecordingTextSink cancelling(f, SIZE_MAX, /*cancel_after=*/2);
  EXPECT_EQ(ExtractText(many, "text/plain", Options{}, cancelling), Outcome::kCancelled);
  const size_t whole = many.size() / cp1251.size() * SampleText(Language::kRussian).size();
  EXPECT_GT(f.text.size(), 0u);
  EXPECT_LT(f.text.size(), whole);
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

// ---- Known answers: each sample encoded in a legacy charset comes back word for word. ----

struct KnownAnswer {
  Language language;
  const char* encode_as;  // ICU name
  bool bom;
  const char* charset;  // the expected finding
};

TEST(TextCharsetTest, LegacyCharsetsComeBackWordForWord) {
  const KnownAnswer answers[] = {
      {Language::kRussian, "windows-1251", false, "windows-1251"},
      {Language::kRussian, "KOI8-R", false, "koi8-r"},
      {Language::kJapanese, "Shift_JIS", false, "shift_jis"},
      {Language::kJapanese, "EUC-JP", false, "euc-jp"},
      {Language::kJapanese, "ISO-2022-JP", false, "iso-2022-jp"},
      {Language::kChineseSimplified, "GB18030", false, "gb18030"},
      {Language::kChineseTraditional, "Big5", false, "big5"},
      {Language::kKorean, "EUC-KR", false, "euc-kr"},
      {Language::kFrench, "ISO-8859-1", false, "iso-8859-1"},
      {Language::kGerman, "ISO-8859-1", false, "iso-8859-1"},
      {Language::kRussian, "UTF-16LE", true, "utf-16le"},
      {Language::kJapanese, "UTF-16BE", true, "utf-16be"},
      {Language::kKorean, "UTF-8", false, "utf-8"},
      {Language::kChineseSimplified, "UTF-8", true, "utf-8"},
  };
  for (const KnownAnswer& a : answers) {
    const std::string_view sample = SampleText(a.language);
    const std::string bytes = EncodeText(sample, a.encode_as, a.bom);
    const Extraction e = Extract(bytes);
    EXPECT_EQ(e.outcome, Outcome::kText) << a.encode_as;
    EXPECT_EQ(e.text, sample) << a.encode_as;
    EXPECT_EQ(e.Finding("charset"), a.charset) << a.encode_as;
    EXPECT_EQ(e.Finding("lines"), "1") << a.encode_as;
  }
}

TEST(TextCharsetTest, LargeLegacyFilesStreamInWellFormedPieces) {
  const std::string_view sample = SampleText(Language::kRussian);
  std::string expected;
  while (expected.size() < (size_t{1} << 20)) expected += sample;
  const Extraction e = Extract(EncodeText(expected, "windows-1251"));
  EXPECT_EQ(e.Finding("charset"), "windows-1251");
  ASSERT_GT(e.pieces.size(), 4u);
  for (const std::string& piece : e.pieces) {
    EXPECT_LE(piece.size(), kPieceBytes);
    EXPECT_TRUE(WellFormed(piece));  // two-byte Cyrillic letters are never split
  }
  EXPECT_EQ(e.text, expected);
}

TEST(TextCharsetTest, TruncatedMultiByteSequenceAtTheEnd) {
  // A complete file ending in half a character: the half becomes U+FFFD.
  const std::string sjis = EncodeText(SampleText(Language::kJapanese), "Shift_JIS");
  const Extraction complete = Extract(sjis + "\x82");
  EXPECT_EQ(complete.Finding("charset"), "shift_jis");
  EXPECT_EQ(complete.text, std::string(SampleText(Language::kJapanese)) + "\xef\xbf\xbd");

  // A file cut by max_bytes inside a character: the half is dropped, and the cut reported.
  const std::string text = std::string(SampleText(Language::kJapanese)) + "テスト";
  const std::string bytes = EncodeText(text, "Shift_JIS");
  Options options;
  options.max_bytes = bytes.size() - 1;
  const Extraction cut = Extract(bytes, "text/plain", options);
  EXPECT_EQ(cut.Finding("charset"), "shift_jis");
  EXPECT_EQ(cut.text, text.substr(0, text.size() - std::string("ト").size()));
  EXPECT_EQ(cut.Finding("truncated"), "true");

  // The same for UTF-8 and UTF-16.
  const std::string german(SampleText(Language::kGerman));
  EXPECT_EQ(Extract(german + "\xe2\x82").text, german + "\xef\xbf\xbd");
  const std::string utf16 = EncodeText("ab\xe2\x82\xac", "UTF-16LE", true);
  EXPECT_EQ(Extract(utf16 + "x").text, "ab\xe2\x82\xac\xef\xbf\xbd");
  options.max_bytes = utf16.size() - 1;
  EXPECT_EQ(Extract(utf16, "text/plain", options).text, "ab");
}

// ---- The pieces of encoding.h and utf8_decoder.h. ----

TEST(TextEncodingTest, LabelsGetStandardNamesAndWhatwgDecoders) {
  struct Label {
    const char* label;
    const char* name;
    const char* converter;
  };
  for (const Label& l :
       {Label{"WINDOWS-1251", "windows-1251", "ibm-5347_P100-1998"},
        Label{" cp1251 ", "windows-1251", "ibm-5347_P100-1998"},
        Label{"latin1", "iso-8859-1", "windows-1252"},
        Label{"US-ASCII", "us-ascii", "windows-1252"}, Label{"UHC", "euc-kr", "windows-949"},
        Label{"euc-kr", "euc-kr", "windows-949"}, Label{"sjis", "shift_jis", "ibm-943_P15A-2003"},
        Label{"gbk", "gbk", "gb18030"},
        Label{"MAC-CYRILLIC", "x-mac-cyrillic", "macos-7_3-10.2"}}) {
    const std::optional<Encoding> e = FromLabel(l.label);
    ASSERT_TRUE(e.has_value()) << l.label;
    EXPECT_EQ(e->name, l.name) << l.label;
    EXPECT_EQ(e->converter, l.converter) << l.label;
  }
  for (const char* unknown : {"", "x-no-such-charset", "ISO-8859-16", "VISCII"}) {
    EXPECT_FALSE(FromLabel(unknown).has_value()) << unknown;
  }
}

TEST(TextEncodingTest, DetectionWindowStartsAtTheFirstNonAsciiByte) {
  const std::string content = std::string(100000, 'a') + "\xe9t\xe9";
  EXPECT_EQ(DetectionWindow(content), "\xe9t\xe9");
  EXPECT_EQ(DetectionWindow(std::string(100000, 'a')).size(), kDetectionWindow);
}

TEST(TextEncodingTest, DeclarationsCountOnlyWhereTheBytesAllowThem) {
  const auto declares = [](std::string label) {
    return std::function<std::string()>([label] { return label; });
  };
  const std::string cp1251 = EncodeText(SampleText(Language::kRussian), "windows-1251");
  // Not UTF-8: the declaration wins over the detector (which would say windows-1251).
  EXPECT_EQ(ChooseEncoding(cp1251, true, declares("koi8-r"), nullptr).encoding.name, "koi8-r");
  // A declaration refuted by the bytes (UTF-8, UTF-16) or unknown is passed over.
  for (const char* refuted : {"utf-8", "utf-16", "x-unknown"}) {
    EXPECT_EQ(ChooseEncoding(cp1251, true, declares(refuted), nullptr).encoding.name,
              "windows-1251")
        << refuted;
  }
  // Valid UTF-8 is UTF-8 whatever the document says.
  const std::string_view utf8 = SampleText(Language::kRussian);
  EXPECT_EQ(ChooseEncoding(utf8, true, declares("windows-1251"), nullptr).encoding.name, "utf-8");
  // Bytes no detector recognizes fall back to windows-1252.
  EXPECT_EQ(ChooseEncoding("\x81\x8d\x8f", true, nullptr, nullptr).encoding.name, "windows-1252");
}

std::string DecodeAll(std::string_view bytes, const Encoding& encoding, bool complete) {
  Utf8Decoder decoder(bytes, encoding, complete);
  std::string out;
  for (std::string_view piece = decoder.Next(); !piece.empty(); piece = decoder.Next()) {
    out += piece;
  }
  return out;
}

TEST(Utf8DecoderTest, ReplacesEachIllFormedSequenceAndDropsNul) {
  const Encoding utf8{"utf-8", "UTF-8", 0};
  // C0 AF is an overlong '/', ED A0 80 a surrogate: neither is UTF-8, and each ill-formed byte
  // becomes one U+FFFD, as Unicode recommends (the maximal subparts here are single bytes).
  EXPECT_EQ(DecodeAll("a\xc0\xaf\xed\xa0\x80z", utf8, true),
            "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
  EXPECT_EQ(DecodeAll("a\0b\0"s, utf8, true), "ab");
  // Bytes a legacy charset does not define are U+FFFD too, where ICU would write U+001A.
  EXPECT_EQ(DecodeAll("\x82\xa0\x80!", *FromLabel("Shift_JIS"), true), "\xe3\x81\x82\xef\xbf\xbd!");
}

TEST(Utf8DecoderTest, PassThroughDropsOnlyACharacterCutOffByTheEnd) {
  const Encoding pass{"utf-8", "", 0};
  EXPECT_EQ(DecodeAll("ab\xe2\x82", pass, false), "ab");
  EXPECT_EQ(DecodeAll("ab\xe2\x82\xac", pass, false), "ab\xe2\x82\xac");
  EXPECT_EQ(DecodeAll("ab\xf0\x9f\x98\x80", pass, false), "ab\xf0\x9f\x98\x80");
  EXPECT_EQ(CompleteUtf8Prefix("\xf0\x9f\x98"), 0u);
  EXPECT_EQ(CompleteUtf8Prefix(""), 0u);
}

}  // namespace
}  // namespace archivum::bundled::text
