// The pdf plugin's conversion of poppler's UTF-16 strings to UTF-8.
#include "pdf/pdf_strings.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace archivum::bundled::pdf {
namespace {

poppler::ustring Units(std::initializer_list<unsigned short> units) {
  poppler::ustring s;
  for (const unsigned short u : units) s.push_back(u);
  return s;
}

TEST(PdfStringsTest, Utf16BecomesUtf8IncludingSurrogatePairs) {
  // "Grüß € 😀": one, two, three and four UTF-8 bytes per character.
  EXPECT_EQ(ToUtf8(Units({'G', 'r', 0xFC, 0xDF, ' ', 0x20AC, ' ', 0xD83D, 0xDE00})),
            "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(ToUtf8(poppler::ustring()), "");
}

TEST(PdfStringsTest, AnUnpairedSurrogateBecomesAReplacementAndTheRestIsKept) {
  EXPECT_EQ(ToUtf8(Units({'a', 0xD800, 'b'})),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(ToUtf8(Units({'a', 0xDC00, 'b'})),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(ToUtf8(Units({'a', 0xD800})), "a\xef\xbf\xbd");
  EXPECT_EQ(ToUtf8(Units({0xDE00, 0xD83D})), "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(PdfStringsTest, InfoValuesAreTrimmed) {
  EXPECT_EQ(InfoToUtf8(Units({' ', '\t', 'A', ' ', 'B', '\r', '\n', 0})), "A B");
  EXPECT_EQ(InfoToUtf8(Units({' ', ' '})), "");
}

TEST(PdfStringsTest, InfoValuesGetWhatPdfDocEncodingMeansWhereItDiffersFromLatin1) {
  // poppler-cpp widens PDFDocEncoding bytes as Latin-1: 0x8D, 0x8E are the double quotes, 0x90
  // the right single quote, 0x84 the em dash, 0x93 the fi ligature, 0x18 the breve.
  EXPECT_EQ(InfoToUtf8(Units({0x8D, 'A', 0x90, 's', 0x8E, ' ', 0x84, ' ', 0x93, ' ', 0x18})),
            "\xe2\x80\x9c"
            "A\xe2\x80\x99s\xe2\x80\x9d \xe2\x80\x94 \xef\xac\x81 \xcb\x98");
  // Latin-1 letters, where both encodings agree, are unchanged; 0x9F is undefined and kept.
  EXPECT_EQ(InfoToUtf8(Units({0xE9, 0xFC, 0x9F})), "\xc3\xa9\xc3\xbc\xc2\x9f");
}

TEST(PdfStringsTest, TrimSpaceRemovesFormFeedsAndNuls) {
  EXPECT_EQ(TrimSpace("\n\f text \f\n\v"), "text");
  EXPECT_EQ(TrimSpace(std::string_view("\0x\0", 3)), "x");
  EXPECT_EQ(TrimSpace(""), "");
}

}  // namespace
}  // namespace archivum::bundled::pdf
