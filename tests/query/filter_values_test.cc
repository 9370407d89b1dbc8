// Values of built-in filters: sizes, dates, hashes, extensions, paths and globs.
#include "query/filter_values.h"

#include <gtest/gtest.h>

#include "query/parser.h"

namespace archivum::query {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// The single filter `text` parses to; a default Filter (field kDup) with the error in *error.
Filter ParseOne(std::string_view text, std::string* error = nullptr) {
  auto query = Parse(text);
  if (!query.ok()) {
    if (error) *error = query.status().message();
    return {};
  }
  EXPECT_TRUE(query->where && query->where->kind == NodeKind::kTerm) << text;
  const auto* filter = std::get_if<Filter>(&query->where->term);
  EXPECT_NE(filter, nullptr) << text;
  return filter ? *filter : Filter{};
}

std::string ErrorOf(std::string_view text) {
  std::string error = "(parsed)";
  ParseOne(text, &error);
  return error;
}

TEST(QueryFilterValuesTest, SizeUnitsAreBinaryMultiples) {
  EXPECT_EQ(ParseOne("size:0").number, 0);
  EXPECT_EQ(ParseOne("size:100").number, 100);
  EXPECT_EQ(ParseOne("size:100B").number, 100);
  EXPECT_EQ(ParseOne("size:1k").number, 1024);
  EXPECT_EQ(ParseOne("size:1K").number, 1024);
  EXPECT_EQ(ParseOne("size:10kB").number, 10240);
  EXPECT_EQ(ParseOne("size:1m").number, 1 << 20);
  EXPECT_EQ(ParseOne("size:1.5M").number, 3 << 19);
  EXPECT_EQ(ParseOne("size:0.5k").number, 512);
  EXPECT_EQ(ParseOne("size:1.000001k").number, 1024);  // fractions of a byte truncate
  EXPECT_EQ(ParseOne("size:3G").number, int64_t{3} << 30);
  EXPECT_EQ(ParseOne("size:2T").number, int64_t{2} << 40);
  EXPECT_EQ(ParseOne("size:8388607T").number, (int64_t{8388607} << 40));
  EXPECT_EQ(ParseOne("size:9223372036854775807").number, INT64_MAX);
  EXPECT_EQ(ParseOne("size>1k").op, Comparison::kGt);
  EXPECT_EQ(ParseOne("size<1k").op, Comparison::kLt);
  EXPECT_EQ(ParseOne("size>=1k").op, Comparison::kGe);
  EXPECT_EQ(ParseOne("size<=1k").op, Comparison::kLe);
  EXPECT_EQ(ParseOne("size:1k").op, Comparison::kEq);
}

TEST(QueryFilterValuesTest, SizeErrors) {
  EXPECT_EQ(ErrorOf("size>abc"), "column 6: expected a size such as 500, 10k or 1.5M, got 'a'");
  EXPECT_EQ(ErrorOf("size>-1"), "column 6: expected a size such as 500, 10k or 1.5M, got '-'");
  EXPECT_EQ(ErrorOf("size>1X"), "column 7: expected a unit k, M, G or T, got 'X'");
  EXPECT_EQ(ErrorOf("size>1kk"), "column 8: expected end of size, got 'k'");
  EXPECT_EQ(ErrorOf("size>1.5"),
            "column 7: expected a whole number of bytes (a fraction needs a unit, as in 1.5M), "
            "got '.'");
  EXPECT_EQ(ErrorOf("size>1.k"), "column 8: expected a digit after '.', got 'k'");
  EXPECT_EQ(ErrorOf("size>1.1234567k"), "column 14: expected at most 6 decimal places, got '7'");
  EXPECT_EQ(ErrorOf("size:8388608T"), "column 6: expected a size below 8 EiB, got '8388608T'");
  EXPECT_EQ(ErrorOf("size:9223372036854775808"),
            "column 6: expected a size below 8 EiB, got '9223372036854775808'");
  EXPECT_EQ(ErrorOf("size:99999999999999999999999"),
            "column 6: expected a size below 8 EiB, got '99999999999999999999999'");
  EXPECT_EQ(ErrorOf("size>\"1 k\""), "column 6: expected a unit k, M, G or T, got whitespace");
}

TEST(QueryFilterValuesTest, ModifiedIsUtc) {
  const Filter day = ParseOne("modified:1970-01-02");
  EXPECT_EQ(day.op, Comparison::kEq);
  EXPECT_EQ(day.number, 86400 * kSecond);
  EXPECT_EQ(day.number_end, kSecond * 2 * 86400);
  const Filter minute = ParseOne("modified:1970-01-01T00:02");
  EXPECT_EQ(minute.number, 120 * kSecond);
  EXPECT_EQ(minute.number_end, 180 * kSecond);
  const Filter second = ParseOne("modified:1970-01-01T00:02:03z");
  EXPECT_EQ(second.number, 123 * kSecond);
  EXPECT_EQ(second.number_end, 124 * kSecond);
  EXPECT_EQ(ParseOne("modified>2024-02-29").number, 1709164800 * kSecond);  // leap day
  EXPECT_EQ(ParseOne("modified<1969-12-31T23:59:59Z").number, -kSecond);
  EXPECT_EQ(ParseOne("modified>1678-01-01").number, -9214560000 * kSecond);
  EXPECT_EQ(ParseOne("modified>2261-12-31T23:59:59").number, 9214646399 * kSecond);
}

TEST(QueryFilterValuesTest, ModifiedErrors) {
  constexpr char kShape[] = "a date like 2024-01-31 or 2024-01-31T12:30[:00][Z]";
  EXPECT_EQ(ErrorOf("modified>2024"),
            std::string("column 14: expected ") + kShape + ", got end of value");
  EXPECT_EQ(ErrorOf("modified>2024-1-01"),
            std::string("column 16: expected ") + kShape + ", got '-'");
  EXPECT_EQ(ErrorOf("modified>2024/01/01"),
            std::string("column 14: expected ") + kShape + ", got '/'");
  EXPECT_EQ(ErrorOf("modified>2024-01-01T1"),
            std::string("column 22: expected ") + kShape + ", got end of value");
  EXPECT_EQ(ErrorOf("modified>2024-01-01T10:00:0"),
            std::string("column 28: expected ") + kShape + ", got end of value");
  EXPECT_EQ(ErrorOf("modified>2024-01-01+02:00"),
            "column 20: expected 'T', 'Z' or end of date, got '+'");
  EXPECT_EQ(ErrorOf("modified>2024-01-01T10:00+02"),
            "column 26: expected 'Z' or end of time, got '+'");
  EXPECT_EQ(ErrorOf("modified>2024-01-01Zx"),
            "column 21: expected 'T', 'Z' or end of date, got 'x'");
  EXPECT_EQ(ErrorOf("modified>2024-13-01"), "column 15: expected a month from 01 to 12, got '13'");
  EXPECT_EQ(ErrorOf("modified>2024-00-01"), "column 15: expected a month from 01 to 12, got '00'");
  EXPECT_EQ(ErrorOf("modified>2023-02-29"),
            "column 18: expected a day that exists in 2023-02, got '29'");
  EXPECT_EQ(ErrorOf("modified>2024-04-31"),
            "column 18: expected a day that exists in 2024-04, got '31'");
  EXPECT_EQ(ErrorOf("modified>2024-01-00"),
            "column 18: expected a day that exists in 2024-01, got '00'");
  EXPECT_EQ(ErrorOf("modified>2024-01-01T24:00"),
            "column 21: expected an hour from 00 to 23, got '24'");
  EXPECT_EQ(ErrorOf("modified>2024-01-01T10:60"),
            "column 24: expected a minute from 00 to 59, got '60'");
  EXPECT_EQ(ErrorOf("modified>2024-01-01T10:00:60"),
            "column 27: expected a second from 00 to 59, got '60'");
  EXPECT_EQ(ErrorOf("modified>1677-12-31"),
            "column 10: expected a year from 1678 to 2261, got '1677'");
  EXPECT_EQ(ErrorOf("modified>2262-01-01"),
            "column 10: expected a year from 1678 to 2261, got '2262'");
}

TEST(QueryFilterValuesTest, Sha256) {
  const std::string upper = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";
  std::string lower = upper;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(ParseOne("sha256:" + upper).text, lower);
  EXPECT_EQ(ErrorOf("sha256:abc"), "column 8: expected 64 hexadecimal digits, got 3 digits");
  EXPECT_EQ(ErrorOf("sha256:" + upper + "0"),
            "column 8: expected 64 hexadecimal digits, got 65 digits");
  EXPECT_EQ(ErrorOf("sha256:01g"), "column 10: expected a hexadecimal digit, got 'g'");
  EXPECT_EQ(ErrorOf("sha256:0123*"), "column 12: expected a hexadecimal digit, got '*'");
}

TEST(QueryFilterValuesTest, ExtPathNameMimeDup) {
  EXPECT_EQ(ParseOne("ext:TXT").text, "txt");
  EXPECT_EQ(ParseOne("ext:.Md").text, "md");
  // The one empty value: documents without an extension (a facet's term for them).
  EXPECT_EQ(ParseOne("ext:\"\"").text, "");
  EXPECT_EQ(ErrorOf("ext:."), "column 6: expected an extension after '.', got end of value");
  EXPECT_EQ(ErrorOf("ext:*.pdf"),
            "column 5: expected an extension such as pdf (for patterns use name:*.pdf), got '*'");
  EXPECT_EQ(ErrorOf("ext:tar.gz"),
            "column 8: expected an extension such as pdf (for patterns use name:*.pdf), got '.'");
  EXPECT_EQ(ParseOne("path:/a/b/").text, "/a/b");
  EXPECT_EQ(ParseOne("path:///").text, "/");
  EXPECT_EQ(ParseOne("path:\"/a b/\"").text, "/a b");
  EXPECT_EQ(ErrorOf("path:relative/dir"),
            "column 6: expected an absolute path starting with '/', got 'r'");
  EXPECT_EQ(ErrorOf("path:~/x"), "column 6: expected an absolute path starting with '/', got '~'");
  EXPECT_EQ(ParseOne("name:Read[Mm]e.*").text, "read[mm]e.*");
  EXPECT_EQ(ErrorOf("name:a/b"),
            "column 7: expected a file name pattern without '/' (use path: for directories), "
            "got '/'");
  EXPECT_EQ(ErrorOf("name:x[ab"), "column 7: expected ']' to close this '[', got end of value");
  EXPECT_EQ(ParseOne("name:[]x]").text, "[]x]");  // a leading ']' is a class member
  EXPECT_EQ(ParseOne("name:[^]x]*").text, "[^]x]*");
  EXPECT_EQ(ErrorOf("name:[]"), "column 6: expected ']' to close this '[', got end of value");
  EXPECT_EQ(ErrorOf("mime:text/[pl"),
            "column 11: expected ']' to close this '[', got end of value");
  EXPECT_EQ(ParseOne("mime:Image/PNG").text, "image/png");
  EXPECT_EQ(
      ErrorOf("dup:no"),
      "column 5: expected nothing, 'true' or 'yes' after dup: (exclude with -dup:), got 'no'");
  EXPECT_EQ(ParseOne("dup:True").field, Field::kDup);
}

TEST(QueryFilterValuesTest, FieldLookupIsCaseInsensitive) {
  EXPECT_EQ(LookupField("MoDiFiEd"), Field::kModified);
  EXPECT_EQ(LookupField("sha256"), Field::kSha256);
  EXPECT_EQ(LookupField("sha"), std::nullopt);
  EXPECT_EQ(LookupField(""), std::nullopt);
  EXPECT_TRUE(IsComparable(Field::kSize));
  EXPECT_FALSE(IsComparable(Field::kName));
}

}  // namespace
}  // namespace archivum::query
