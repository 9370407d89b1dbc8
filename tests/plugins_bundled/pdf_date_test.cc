// The pdf plugin's PDF date normalization: exact dates become the vocabulary's UTC form, anything
// else is refused rather than guessed.
#include "pdf/pdf_date.h"

#include <gtest/gtest.h>

namespace archivum::bundled::pdf {
namespace {

TEST(PdfDateTest, FullTimesAreConvertedToUtcWithTheirOffset) {
  EXPECT_EQ(NormalizePdfDate("D:20240301093000+02'00'"), "2024-03-01T07:30:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000-05'30'"), "2024-03-01T15:00:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000+02'00"), "2024-03-01T07:30:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000+0530"), "2024-03-01T04:00:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000+02"), "2024-03-01T07:30:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000+02'"), "2024-03-01T07:30:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000Z"), "2024-03-01T09:30:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240301093000Z00'00'"), "2024-03-01T09:30:00Z");
}

TEST(PdfDateTest, OffsetsCrossDayMonthAndYearBoundaries) {
  EXPECT_EQ(NormalizePdfDate("D:20231231230000-02'00'"), "2024-01-01T01:00:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240101003000+01'00'"), "2023-12-31T23:30:00Z");
  EXPECT_EQ(NormalizePdfDate("D:20240229233000-01'00'"), "2024-03-01T00:30:00Z");
}

TEST(PdfDateTest, ATimeWithoutOffsetIsTakenAsUtc) {
  EXPECT_EQ(NormalizePdfDate("D:20240301093015"), "2024-03-01T09:30:15Z");
}

TEST(PdfDateTest, OmittedMinutesAndSecondsAreZero) {
  EXPECT_EQ(NormalizePdfDate("D:2024030109"), "2024-03-01T09:00:00Z");
  EXPECT_EQ(NormalizePdfDate("D:202403010930+01'00'"), "2024-03-01T08:30:00Z");
}

TEST(PdfDateTest, ADayAloneStaysADay) {
  EXPECT_EQ(NormalizePdfDate("D:20240301"), "2024-03-01");
  EXPECT_EQ(NormalizePdfDate("D:20240229"), "2024-02-29");
}

TEST(PdfDateTest, PrefixAndSurroundingSpaceAreOptional) {
  EXPECT_EQ(NormalizePdfDate("20240301093000Z"), "2024-03-01T09:30:00Z");
  EXPECT_EQ(NormalizePdfDate("  D:20240301093000Z \n"), "2024-03-01T09:30:00Z");
}

TEST(PdfDateTest, RefusesWhatIsNotAnExactDate) {
  for (const char* bad : {
           "",
           "D:",
           "yesterday",
           "D:2024",                    // a year alone: the day would be a guess
           "D:202403",                  // a month alone
           "D:2024030",                 // odd number of digits
           "D:2024030109300",           // odd number of digits
           "D:202403010930001",         // too many digits
           "D:20241301",                // month 13
           "D:20240001",                // month 0
           "D:20240230",                // February 30
           "D:20230229",                // not a leap year
           "D:20240301240000",          // hour 24
           "D:20240301096000",          // minute 60
           "D:20240301093060",          // second 60
           "D:20240301093000+24'00'",   // offset hour 24
           "D:20240301093000+02'60'",   // offset minute 60
           "D:20240301093000+2'00'",    // one-digit offset
           "D:20240301093000+",         // sign without offset
           "D:20240301093000Z01'00'",   // Z with an offset
           "D:20240301093000+02'00'x",  // trailing garbage
           "D:20240301093000 +02'00'",  // space before the zone
           "D:00000101000000+01'00'",   // before year 0 in UTC
           "D:99991231230000-02'00'",   // after year 9999 in UTC
       }) {
    EXPECT_EQ(NormalizePdfDate(bad), std::nullopt) << bad;
  }
}

TEST(PdfDateTest, ExtremeYearsInsideTheRangeAreKept) {
  EXPECT_EQ(NormalizePdfDate("D:00000101000000Z"), "0000-01-01T00:00:00Z");
  EXPECT_EQ(NormalizePdfDate("D:99991231235959Z"), "9999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace archivum::bundled::pdf
