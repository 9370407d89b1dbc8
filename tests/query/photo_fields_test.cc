// The photo fields of the query language: camera:, taken, width, height and near: — what they
// parse to, and the errors (with columns) for malformed values.
#include <gtest/gtest.h>

#include <cmath>

#include "query/filter_values.h"
#include "query/parser.h"

namespace archivum::query {
namespace {

// The tree as text, or "ERROR <message>".
std::string PhotoTree(std::string_view text) {
  ParseOptions options;
  options.verbs = {"similar"};
  auto query = Parse(text, options);
  if (!query.ok()) {
    EXPECT_EQ(query.status().code(), StatusCode::kInvalidArgument) << text;
    return "ERROR " + query.status().message();
  }
  return DebugString(*query);
}

// The one filter `text` parses to (a default Filter when it does not parse to one).
Filter PhotoFilter(std::string_view text) {
  auto query = Parse(text);
  EXPECT_TRUE(query.ok()) << text << ": " << query.status().ToString();
  if (!query.ok() || !query->where) return {};
  const auto* filter = std::get_if<Filter>(&query->where->term);
  EXPECT_NE(filter, nullptr) << text;
  return filter ? *filter : Filter{};
}

TEST(QueryPhotoFieldsTest, CameraIsAWordFieldOverMakeAndModel) {
  EXPECT_EQ(PhotoTree("camera:canon"), "camera:canon");
  EXPECT_EQ(PhotoTree("CAMERA:Canon"), "camera:Canon");
  EXPECT_EQ(PhotoTree("camera:\"EOS 5D\""), "camera:\"EOS 5D\"");
  EXPECT_EQ(PhotoTree("camera:nik*"), "camera:nik*");
  const Filter f = PhotoFilter("camera:\"EOS 5D\"");
  EXPECT_EQ(f.field, Field::kCamera);
  EXPECT_EQ(f.text, "EOS 5D");
  EXPECT_FALSE(f.prefix);
  ASSERT_EQ(MetadataKeys(Field::kCamera).size(), 2u);
  EXPECT_EQ(MetadataKeys(Field::kCamera)[0], "camera_make");
  EXPECT_EQ(MetadataKeys(Field::kCamera)[1], "camera_model");
  EXPECT_EQ(PhotoTree("camera:"),
            "ERROR column 8: expected a value after 'camera:', got end of query");
  EXPECT_EQ(PhotoTree("camera:\"--\""),
            "ERROR column 8: expected a value with letters or digits, got '--'");
  EXPECT_EQ(PhotoTree("camera>canon"),
            "ERROR column 7: expected ':' after 'camera' (only size, modified, pages, created, "
            "taken, width and height compare with < and >), got '>'");
}

TEST(QueryPhotoFieldsTest, TakenIsALocalDateTimeComparison) {
  // Local readings counted as if they were UTC: 2024-06-01T00:00 is 1717200000 s.
  EXPECT_EQ(PhotoTree("taken>2024-06-01"), "taken>1717200000000000000");
  EXPECT_EQ(PhotoTree("taken<2024-06-01T14:30"), "taken<1717252200000000000");
  EXPECT_EQ(PhotoTree("taken>=2024-06-01T14:30:00"), "taken>=1717252200000000000");
  EXPECT_EQ(PhotoTree("taken<=2024-06-01"), "taken<=1717200000000000000");
  EXPECT_EQ(PhotoTree("taken:>2024-06-01"), "taken>1717200000000000000");
  // Equality names a period: a day, a minute.
  EXPECT_EQ(PhotoTree("taken:2024-06-01"), "taken:[1717200000000000000,1717286400000000000)");
  EXPECT_EQ(PhotoTree("Taken:2024-06-01T14:30"), "taken:[1717252200000000000,1717252260000000000)");
  EXPECT_EQ(PhotoFilter("taken>2024-06-01").field, Field::kTaken);
  EXPECT_EQ(MetadataKey(Field::kTaken), "taken");
  EXPECT_TRUE(IsComparable(Field::kTaken));
}

TEST(QueryPhotoFieldsTest, TakenValueErrorsPointAtTheirColumn) {
  // A zone would promise a conversion that never happens: taken compares local times.
  EXPECT_EQ(PhotoTree("taken>2024-06-01T14:30Z"),
            "ERROR column 23: expected end of time (taken is the camera's local time, no zone), "
            "got 'Z'");
  EXPECT_EQ(PhotoTree("taken>2024-06-01Z"),
            "ERROR column 17: expected 'T' or end of date (taken is the camera's local time, no "
            "zone), got 'Z'");
  EXPECT_EQ(PhotoTree("x taken<2024-13-01"),
            "ERROR column 14: expected a month from 01 to 12, got '13'");
  EXPECT_EQ(PhotoTree("taken:2023-02-29"),
            "ERROR column 15: expected a day that exists in 2023-02, got '29'");
  EXPECT_EQ(PhotoTree("taken>june"),
            "ERROR column 7: expected a date like 2024-01-31 or 2024-01-31T12:30[:00], got 'j'");
  EXPECT_EQ(PhotoTree("taken>2024-06-01T25:00"),
            "ERROR column 18: expected an hour from 00 to 23, got '25'");
  EXPECT_EQ(PhotoTree("taken>"),
            "ERROR column 7: expected a value after 'taken>', got end of query");
  // created keeps its 'Z'.
  EXPECT_EQ(PhotoTree("created>2024-06-01T14:30Z"), "created>1717252200000000000");
}

TEST(QueryPhotoFieldsTest, WidthAndHeightCompareCounts) {
  EXPECT_EQ(PhotoTree("width>1920"), "width>1920");
  EXPECT_EQ(PhotoTree("height<=1080"), "height<=1080");
  EXPECT_EQ(PhotoTree("WIDTH:4000"), "width:4000");
  EXPECT_EQ(PhotoTree("width:>=0"), "width>=0");
  EXPECT_EQ(PhotoTree("width>1920 height>1080"), "(and width>1920 height>1080)");
  EXPECT_EQ(PhotoFilter("height<5").field, Field::kHeight);
  EXPECT_EQ(PhotoTree("width>wide"),
            "ERROR column 7: expected a width in pixels such as 1920, got 'w'");
  EXPECT_EQ(PhotoTree("a height>10px"),
            "ERROR column 12: expected a height in pixels such as 1080, got 'p'");
  EXPECT_EQ(PhotoTree("width<-1"),
            "ERROR column 7: expected a width in pixels such as 1920, got '-'");
  EXPECT_EQ(PhotoTree("width>1.5"),
            "ERROR column 8: expected a width in pixels such as 1920, got '.'");
  EXPECT_EQ(PhotoTree("height>99999999999999999999"),
            "ERROR column 8: expected a height in pixels below 2^63, got '99999999999999999999'");
}

TEST(QueryPhotoFieldsTest, NearTakesAPointAndARadius) {
  Filter f = PhotoFilter("near:48.858361,2.294481,2");
  EXPECT_EQ(f.field, Field::kNear);
  EXPECT_EQ(f.latitude, 48.858361);
  EXPECT_EQ(f.longitude, 2.294481);
  EXPECT_EQ(f.radius_km, 2.0);
  f = PhotoFilter("near:-33.856784,151.215297,0.5km");
  EXPECT_EQ(f.latitude, -33.856784);
  EXPECT_EQ(f.longitude, 151.215297);
  EXPECT_EQ(f.radius_km, 0.5);
  f = PhotoFilter("near:\"+90,-180,20000KM\"");
  EXPECT_EQ(f.latitude, 90.0);
  EXPECT_EQ(f.longitude, -180.0);
  EXPECT_EQ(f.radius_km, 20000.0);
  f = PhotoFilter("near:.5,-.25,.1");
  EXPECT_EQ(f.latitude, 0.5);
  EXPECT_EQ(f.longitude, -0.25);
  EXPECT_EQ(f.radius_km, 0.1);
  EXPECT_EQ(PhotoTree("near:48.858361,2.294481,2"), "near:48.858361,2.294481,2");
  EXPECT_EQ(PhotoTree("-near:0,0,1 eiffel"), "(and (not near:0,0,1) eiffel)");
  EXPECT_EQ(PhotoTree("near:0,0,1 OR camera:canon"), "(or near:0,0,1 camera:canon)");
  EXPECT_EQ(MetadataKeys(Field::kNear).size(), 2u);
  EXPECT_FALSE(IsComparable(Field::kNear));
}

TEST(QueryPhotoFieldsTest, MalformedNearIsASyntaxErrorAtItsColumn) {
  EXPECT_EQ(PhotoTree("near:"), "ERROR column 6: expected a value after 'near:', got end of query");
  EXPECT_EQ(PhotoTree("near:paris"),
            "ERROR column 6: expected a latitude in degrees such as 48.8584 (near:LAT,LON,KM), got "
            "'p'");
  EXPECT_EQ(PhotoTree("near:48.8"),
            "ERROR column 10: expected ',' and the longitude after the latitude (near:LAT,LON,KM), "
            "got end of value");
  EXPECT_EQ(PhotoTree("near:48.8,2.3"),
            "ERROR column 14: expected ',' and the radius in km after the longitude "
            "(near:LAT,LON,KM), got end of value");
  EXPECT_EQ(PhotoTree("near:48.8,,5"),
            "ERROR column 11: expected a longitude in degrees such as 2.2945 (near:LAT,LON,KM), "
            "got ','");
  EXPECT_EQ(PhotoTree("x near:91,0,5"),
            "ERROR column 8: expected a latitude from -90 to 90, got '91'");
  EXPECT_EQ(PhotoTree("near:-90.0001,0,5"),
            "ERROR column 6: expected a latitude from -90 to 90, got '-90.0001'");
  EXPECT_EQ(PhotoTree("near:0,180.5,5"),
            "ERROR column 8: expected a longitude from -180 to 180, got '180.5'");
  EXPECT_EQ(PhotoTree("near:0,-181,5"),
            "ERROR column 8: expected a longitude from -180 to 180, got '-181'");
  EXPECT_EQ(PhotoTree("near:0,0,0"), "ERROR column 10: expected a radius above 0 km, got '0'");
  EXPECT_EQ(PhotoTree("near:0,0,0.000"),
            "ERROR column 10: expected a radius above 0 km, got '0.000'");
  EXPECT_EQ(PhotoTree("near:0,0,-5"),
            "ERROR column 10: expected a radius in km such as 5 (near:LAT,LON,KM), got '-'");
  // No exponent, so no infinity and no NaN can be written.
  EXPECT_EQ(PhotoTree("near:0,0,1e400"),
            "ERROR column 11: expected end of value after the radius in km, got 'e'");
  EXPECT_EQ(PhotoTree("near:0,0,inf"),
            "ERROR column 10: expected a radius in km such as 5 (near:LAT,LON,KM), got 'i'");
  EXPECT_EQ(PhotoTree("near:nan,0,1"),
            "ERROR column 6: expected a latitude in degrees such as 48.8584 (near:LAT,LON,KM), got "
            "'n'");
  EXPECT_EQ(PhotoTree("near:0,0,5mi"),
            "ERROR column 11: expected end of value after the radius in km, got 'm'");
  EXPECT_EQ(PhotoTree("near:0,0,5,6"),
            "ERROR column 11: expected end of value after the radius in km, got ','");
  EXPECT_EQ(PhotoTree("near:0;0;5"),
            "ERROR column 7: expected ',' and the longitude after the latitude (near:LAT,LON,KM), "
            "got ';'");
  EXPECT_EQ(PhotoTree("near:+-1,0,5"),
            "ERROR column 7: expected a latitude in degrees such as 48.8584 (near:LAT,LON,KM), got "
            "'-'");
  EXPECT_EQ(PhotoTree("near>0,0,5"),
            "ERROR column 5: expected ':' after 'near' (only size, modified, pages, created, "
            "taken, width and height compare with < and >), got '>'");
  // A radius too large for a double is refused, not made infinite.
  EXPECT_EQ(
      PhotoTree("near:0,0," + std::string(400, '9'))
          .rfind("ERROR column 10: expected a radius in km such as 5 (near:LAT,LON,KM), got '999",
                 0),
      0u);
  // Quoted: the error points at the opening quote.
  EXPECT_EQ(PhotoTree("near:\"0, 0, 5\""),
            "ERROR column 6: expected a longitude in degrees such as 2.2945 (near:LAT,LON,KM), "
            "got whitespace");
}

TEST(QueryPhotoFieldsTest, PhotoFieldsCombineWithEverything) {
  EXPECT_EQ(PhotoTree("beach camera:canon taken>=2024-06-01 width>1920 -near:0,0,10 similar:/x"),
            "(and beach camera:canon taken>=1717200000000000000 width>1920 (not near:0,0,10)) "
            "[similar:/x]");
  // README's example.
  EXPECT_EQ(PhotoTree("beach camera:canon taken>=2024-06-01 near:43.55,7.01,20 -width<1000"),
            "(and beach camera:canon taken>=1717200000000000000 near:43.55,7.01,20 (not "
            "width<1000))");
  EXPECT_EQ(PhotoTree("(camera:nikon OR camera:canon) height<3000"),
            "(and (or camera:nikon camera:canon) height<3000)");
}

}  // namespace
}  // namespace archivum::query
