// geo.h: haversine distances with known answers, the strict degree parser, bounding boxes that
// hold every point of their circle (near the poles and across the antimeridian too), and the
// SQL function archivum_distance_km.
#include "store/sqlite/geo.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <numbers>
#include <string>

namespace archivum::store::sqlite {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(GeoTest, HaversineKnownAnswers) {
  // Fractions of a great circle of radius 6371.0088 km.
  EXPECT_DOUBLE_EQ(HaversineKm(0, 0, 0, 0), 0.0);
  EXPECT_NEAR(HaversineKm(0, 0, 0, 90), kPi / 2 * kEarthRadiusKm, 1e-9);
  EXPECT_NEAR(HaversineKm(0, 0, 90, 0), kPi / 2 * kEarthRadiusKm, 1e-9);
  EXPECT_NEAR(HaversineKm(0, 0, 0, 180), kPi * kEarthRadiusKm, 1e-9);          // antipodes
  EXPECT_NEAR(HaversineKm(90, 0, -90, 0), kPi * kEarthRadiusKm, 1e-9);         // pole to pole
  EXPECT_NEAR(HaversineKm(10, 20, 11, 20), kPi / 180 * kEarthRadiusKm, 1e-9);  // 1° of latitude
  // Symmetric, and the same meridian by either name.
  EXPECT_DOUBLE_EQ(HaversineKm(48.858361, 2.294481, 40.689247, -74.044502),
                   HaversineKm(40.689247, -74.044502, 48.858361, 2.294481));
  EXPECT_NEAR(HaversineKm(0, 180, 0, -180), 0.0, 1e-9);
  // Across the antimeridian and over the poles: 0.02° of a great circle.
  EXPECT_NEAR(HaversineKm(0, 179.99, 0, -179.99), 0.02 * kPi / 180 * kEarthRadiusKm, 1e-9);
  EXPECT_NEAR(HaversineKm(89.99, 0, 89.99, 180), 0.02 * kPi / 180 * kEarthRadiusKm, 1e-9);
  EXPECT_NEAR(HaversineKm(-89.99, -45, -89.99, 135), 0.02 * kPi / 180 * kEarthRadiusKm, 1e-9);
  // Paris (Eiffel tower) to New York (Statue of Liberty): 5837.4 km.
  EXPECT_NEAR(HaversineKm(48.858361, 2.294481, 40.689247, -74.044502), 5837.42, 0.01);
}

TEST(GeoTest, ParseDegreesReadsPlainDecimalsOnly) {
  EXPECT_EQ(ParseDegrees("48.858361"), 48.858361);
  EXPECT_EQ(ParseDegrees("-33.856784"), -33.856784);
  EXPECT_EQ(ParseDegrees("+2"), 2.0);
  EXPECT_EQ(ParseDegrees(".5"), 0.5);
  EXPECT_EQ(ParseDegrees("5."), 5.0);
  EXPECT_EQ(ParseDegrees("180"), 180.0);
  for (const char* bad : {"", "-", "+", ".", "-.", "1e5", " 1", "1 ", "inf", "nan", "0x1p3", "1,5",
                          "2.294481x", "--1", "1.2.3", "north"}) {
    EXPECT_FALSE(ParseDegrees(bad).has_value()) << bad;
  }
}

// The point `km` from (lat, lon) in direction `bearing` (degrees from north): the spherical
// destination formula.
std::pair<double, double> Destination(double lat, double lon, double km, double bearing) {
  const double d = km / kEarthRadiusKm;
  const double phi = lat * kPi / 180;
  const double theta = bearing * kPi / 180;
  const double phi2 =
      std::asin(std::sin(phi) * std::cos(d) + std::cos(phi) * std::sin(d) * std::cos(theta));
  const double lambda2 = lon * kPi / 180 + std::atan2(std::sin(theta) * std::sin(d) * std::cos(phi),
                                                      std::cos(d) - std::sin(phi) * std::sin(phi2));
  double lon2 = lambda2 * 180 / kPi;
  lon2 = std::fmod(lon2 + 540, 360) - 180;  // into [-180, 180)
  return {phi2 * 180 / kPi, lon2};
}

bool Inside(const GeoBox& box, double lat, double lon) {
  return lat >= box.min_lat && lat <= box.max_lat &&
         (box.all_longitudes || (lon >= box.min_lon && lon <= box.max_lon));
}

TEST(GeoTest, BoundingBoxesHoldTheirWholeCircle) {
  struct Case {
    double lat, lon, km;
  };
  const Case cases[] = {
      {48.858361, 2.294481, 2},
      {48.858361, 2.294481, 500},
      {-33.856784, 151.215297, 1},
      {40.689247, -74.044502, 50},
      {0, 179.99, 3},
      {0, -179.99, 3},
      {0, 180, 1},
      {89.99, 0, 3},
      {-89.995, -90, 2},
      {70, 10, 2500},
      {-60, -170, 1500},
      {0, 0, 20100},
      {89.9, 45, 5},
      {0, 0, 0.001},
  };
  for (const Case& c : cases) {
    const GeoBox box = BoundingBox(c.lat, c.lon, c.km);
    for (int bearing = 0; bearing < 360; bearing += 3) {
      // Points on the circle and just inside it.
      for (double fraction : {1.0, 0.999, 0.5}) {
        const auto [lat, lon] = Destination(c.lat, c.lon, c.km * fraction, bearing);
        EXPECT_TRUE(Inside(box, lat, lon))
            << "center " << c.lat << "," << c.lon << " radius " << c.km << " bearing " << bearing
            << ": " << lat << "," << lon << " is outside [" << box.min_lat << "," << box.max_lat
            << "] x [" << box.min_lon << "," << box.max_lon << "] all=" << box.all_longitudes;
      }
    }
  }
}

TEST(GeoTest, BoundingBoxesAreNarrowAwayFromPolesAndAntimeridian) {
  // 2 km around the tower: about ±0.018° of latitude, ±0.027° of longitude at 48.86°N.
  GeoBox box = BoundingBox(48.858361, 2.294481, 2);
  EXPECT_FALSE(box.all_longitudes);
  EXPECT_NEAR(box.max_lat - box.min_lat, 2 * 2 / kEarthRadiusKm * 180 / kPi, 1e-5);
  EXPECT_NEAR(box.max_lon - box.min_lon, 2 * 0.01798643 / std::cos(48.858361 * kPi / 180), 1e-5);
  // A point just beyond the radius due east lies outside the box.
  EXPECT_FALSE(Inside(box, 48.858361, 2.294481 + 0.03));
  // Across ±180: every longitude (the exact test decides).
  EXPECT_TRUE(BoundingBox(0, 179.99, 3).all_longitudes);
  EXPECT_TRUE(BoundingBox(0, -179.99, 3).all_longitudes);
  EXPECT_FALSE(BoundingBox(0, 179.9, 3).all_longitudes);
  // A pole within the radius: every longitude, latitudes clamped.
  box = BoundingBox(89.99, 0, 3);
  EXPECT_TRUE(box.all_longitudes);
  EXPECT_EQ(box.max_lat, 90.0);
  EXPECT_NEAR(box.min_lat, 89.99 - 3 / kEarthRadiusKm * 180 / kPi, 1e-5);
  box = BoundingBox(-89.995, -90, 2);
  EXPECT_TRUE(box.all_longitudes);
  EXPECT_EQ(box.min_lat, -90.0);
  EXPECT_FALSE(BoundingBox(89.9, 0, 5).all_longitudes);  // the pole is 11.1 km away
}

class GeoSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(RegisterGeoFunctions(db_).ok());
  }
  void TearDown() override { sqlite3_close(db_); }

  // The value of `expr`, as text ("NULL" for NULL), or "error: ...".
  std::string Eval(const std::string& expr) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, ("SELECT " + expr).c_str(), -1, &st, nullptr) != SQLITE_OK) {
      return std::string("error: ") + sqlite3_errmsg(db_);
    }
    std::string out = "no row";
    if (sqlite3_step(st) == SQLITE_ROW) {
      out = sqlite3_column_type(st, 0) == SQLITE_NULL
                ? "NULL"
                : std::to_string(
                      static_cast<int64_t>(std::llround(sqlite3_column_double(st, 0) * 1000)));
    }
    sqlite3_finalize(st);
    return out;
  }

  sqlite3* db_ = nullptr;
};

TEST_F(GeoSqlTest, DistanceFunctionReadsTextAndNumbersAndRejectsTheMalformed) {
  // Metres, rounded.
  EXPECT_EQ(Eval("archivum_distance_km('0', '0', '0', '90')"), "10007557");
  EXPECT_EQ(Eval("archivum_distance_km(0, 0, 0.0, 180)"), "20015114");
  EXPECT_EQ(Eval("archivum_distance_km('48.858361', '2.294481', '48.867361', '2.294481')"), "1001");
  EXPECT_EQ(Eval("archivum_distance_km('0', '179.99', 0, '-179.99')"), "2224");
  for (const char* bad : {"'91', '0', 0, 0", "'0', '180.5', 0, 0", "0, 0, -90.5, 0",
                          "'north', '0', 0, 0", "'1e1', '0', 0, 0", "' 1', '0', 0, 0",
                          "NULL, 0, 0, 0", "x'31', 0, 0, 0", "0, 0, 0, '2.294481x'"}) {
    EXPECT_EQ(Eval(std::string("archivum_distance_km(") + bad + ")"), "NULL") << bad;
  }
  EXPECT_EQ(Eval("archivum_distance_km(1, 2, 3)").substr(0, 6), "error:");
}

}  // namespace
}  // namespace archivum::store::sqlite
