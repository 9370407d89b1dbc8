// EXIF values in the vocabulary's form: GPS degrees, minutes and seconds to signed decimal
// degrees, EXIF date-times to ISO 8601.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "image/exif_values.h"

namespace archivum::bundled::image {
namespace {

TEST(GpsDecimalTest, DegreesMinutesSecondsBecomeSignedDecimalDegrees) {
  // 48° 51' 30.1" = 48 + 51/60 + 30.1/3600 = 48.858361 (rounded to six decimals)
  const std::vector<Rational> paris_lat = {{48, 1}, {51, 1}, {301, 10}};
  EXPECT_EQ(GpsDecimal(paris_lat, "N", Axis::kLatitude), "48.858361");
  EXPECT_EQ(GpsDecimal(paris_lat, "S", Axis::kLatitude), "-48.858361");
  EXPECT_EQ(GpsDecimal(paris_lat, "s", Axis::kLatitude), "-48.858361");
  EXPECT_EQ(GpsDecimal({{2, 1}, {17, 1}, {402, 10}}, "E", Axis::kLongitude), "2.294500");
  EXPECT_EQ(GpsDecimal({{2, 1}, {17, 1}, {402, 10}}, "W", Axis::kLongitude), "-2.294500");
  // Decimal minutes with zero seconds, as some phones write (2° 17.67'), and a reference padded
  // with a space.
  EXPECT_EQ(GpsDecimal({{2, 1}, {1767, 100}, {0, 1}}, "E ", Axis::kLongitude), "2.294500");
  // The equator has no hemisphere sign.
  EXPECT_EQ(GpsDecimal({{0, 1}, {0, 1}, {0, 1}}, "S", Axis::kLatitude), "0.000000");
  EXPECT_EQ(GpsDecimal({{180, 1}, {0, 1}, {0, 1}}, "W", Axis::kLongitude), "-180.000000");
}

TEST(GpsDecimalTest, UnclearCoordinatesAreNotStated) {
  const std::vector<Rational> ok = {{10, 1}, {0, 1}, {0, 1}};
  EXPECT_EQ(GpsDecimal(ok, "", Axis::kLatitude), std::nullopt);   // no hemisphere
  EXPECT_EQ(GpsDecimal(ok, "E", Axis::kLatitude), std::nullopt);  // a longitude's reference
  EXPECT_EQ(GpsDecimal(ok, "N", Axis::kLongitude), std::nullopt);
  EXPECT_EQ(GpsDecimal(ok, "North", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{10, 1}, {0, 1}}, "N", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{10, 0}, {0, 1}, {0, 1}}, "N", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{-10, 1}, {0, 1}, {0, 1}}, "N", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{10, 1}, {60, 1}, {0, 1}}, "N", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{10, 1}, {0, 1}, {60, 1}}, "N", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{91, 1}, {0, 1}, {0, 1}}, "N", Axis::kLatitude), std::nullopt);
  EXPECT_EQ(GpsDecimal({{180, 1}, {0, 1}, {1, 1}}, "E", Axis::kLongitude), std::nullopt);
}

TEST(ExifDateTimeTest, BecomesIsoWithTheOffsetWhenStated) {
  EXPECT_EQ(ExifDateTime("2024:03:01 09:30:15"), "2024-03-01T09:30:15");
  EXPECT_EQ(ExifDateTime("2024:03:01 09:30:15", "+01:00"), "2024-03-01T09:30:15+01:00");
  EXPECT_EQ(ExifDateTime("2024:03:01 09:30:15", "-05:30"), "2024-03-01T09:30:15-05:30");
  EXPECT_EQ(ExifDateTime(std::string("2024:03:01 09:30:15\0", 20), std::string("+02:00\0", 7)),
            "2024-03-01T09:30:15+02:00");
  EXPECT_EQ(ExifDateTime("2024:03:01 09:30:15", "garbage"), "2024-03-01T09:30:15");
  EXPECT_EQ(ExifDateTime("2024:03:01 09:30:15", "+1:00"), "2024-03-01T09:30:15");
  EXPECT_EQ(ExifDateTime("2024-03-01T09:30:15.25"), "2024-03-01T09:30:15");
  EXPECT_EQ(ExifDateTime("2024:02:29 00:00:00"), "2024-02-29T00:00:00");
}

TEST(ExifDateTimeTest, PlaceholdersAndImpossibleTimesAreNotTimes) {
  for (const char* bad :
       {"0000:00:00 00:00:00", "    :  :     :  :  ", "", "2024:03:01", "2024:13:01 00:00:00",
        "2024:04:31 00:00:00", "2023:02:29 00:00:00", "2024:03:01 24:00:00", "2024:03:01 12:60:00",
        "2024/03/01 12:00:00", "2024:03-01 12:00:00", "2x24:03:01 12:00:00"}) {
    EXPECT_EQ(ExifDateTime(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace archivum::bundled::image
