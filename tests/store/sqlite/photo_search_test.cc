// SqliteCatalog::Search over the photo fields, with documents and findings written through the
// catalog API as the image plugin's would be: camera: (make or model, folded words), taken
// (local date-times, offsets ignored), width and height (strict > and <), near: (great-circle
// radius, across the antimeridian, around the poles, in every hemisphere), their combinations
// with free text and the other fields, the indexes that answer them, and the migration of a
// version 7 store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "store/sqlite/catalog_file.h"
#include "store/sqlite/geo.h"
#include "store/sqlite/query_compiler.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/tokenizer.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace {

using PhotoSet = std::set<std::string>;
using Findings = std::vector<std::pair<std::string, std::string>>;

// A document whose findings are the image plugin's ("image"), plus `other` from a second plugin.
DocumentWrite PhotoDoc(std::string path, std::string text, Findings image, Findings other = {}) {
  DocumentWrite w;
  w.document.path = std::move(path);
  w.document.size = text.size() + 1;
  w.document.mtime_ns = 7;
  w.document.ingested_at_ns = 42;
  w.document.name = w.document.path.substr(w.document.path.rfind('/') + 1);
  w.text = std::move(text);
  for (auto& [key, value] : image) w.findings.push_back({"image", key, value});
  for (auto& [key, value] : other) w.findings.push_back({"exiftool", key, value});
  return w;
}

// The corpus. Distances from the Eiffel tower (48.858361, 2.294481), haversine on R = 6371.0088
// km: trocadero 1.00076 km (0.009° due north), north 4575.86 km, nyc 5837.42 km. east (0, 179.99)
// and west (0, -179.99) are 2.22390 km apart across the antimeridian; north (89.99, 180) is
// 2.22390 km from (89.99, 0) over the North Pole; south (-89.995, 90) 1.11195 km from
// (-89.995, -90) over the South Pole.
std::vector<DocumentWrite> PhotoCorpus() {
  return {
      PhotoDoc("/p/eiffel.jpg", "the tower at noon",
               {{"camera_make", "Canon"},
                {"camera_model", "Canon EOS 5D Mark IV"},
                {"taken", "2024-06-01T14:30:00+02:00"},
                {"width", "6720"},
                {"height", "4480"},
                {"gps_lat", "48.858361"},
                {"gps_lon", "2.294481"}}),
      PhotoDoc("/p/trocadero.jpg", "a view of the tower",
               {{"camera_make", "NIKON CORPORATION"},
                {"camera_model", "NIKON D850"},
                {"taken", "2024-06-01T09:00:00"},
                {"width", "1920"},
                {"height", "1080"},
                {"gps_lat", "48.867361"},
                {"gps_lon", "2.294481"}}),
      // Its offset is ignored: 23:59:59 local on New Year's Eve (04:59:59 UTC on January 1st).
      PhotoDoc("/p/sydney.jpg", "opera house",
               {{"camera_make", "Apple"},
                {"camera_model", "iPhone 15 Pro"},
                {"taken", "2023-12-31T23:59:59-05:00"},
                {"width", "4032"},
                {"height", "3024"},
                {"gps_lat", "-33.856784"},
                {"gps_lon", "151.215297"}}),
      PhotoDoc("/p/nyc.jpg", "liberty",
               {{"camera_make", "Canon"},
                {"camera_model", "Canon PowerShot G7 X"},
                {"taken", "2024-06-02T00:00:00"},
                {"width", "1920"},
                {"height", "1081"},
                {"gps_lat", "40.689247"},
                {"gps_lon", "-74.044502"}}),
      PhotoDoc("/p/east.jpg", "pacific",
               {{"taken", "2024-06-01T14:30:00Z"},
                {"width", "wide"},
                {"gps_lat", "0"},
                {"gps_lon", "179.99"}}),
      PhotoDoc("/p/west.jpg", "pacific", {{"gps_lat", "0.0"}, {"gps_lon", "-179.99"}}),
      PhotoDoc("/p/north.jpg", "ice", {{"gps_lat", "89.99"}, {"gps_lon", "180"}}),
      PhotoDoc("/p/south.jpg", "ice", {{"gps_lat", "-89.995"}, {"gps_lon", "90"}}),
      // Never near anything: a value only a lenient CAST reads as 2.294481 (in the box), a
      // latitude without a longitude, and a pair split between two plugins.
      PhotoDoc("/p/bad_gps.jpg", "tower",
               {{"gps_lat", "48.858361"},
                {"gps_lon", "2.294481x"},
                {"taken", "2024:06:01 10:00:00"},
                {"height", "tall"}}),
      PhotoDoc("/p/half_gps.jpg", "", {{"gps_lat", "48.858361"}}),
      PhotoDoc("/p/split.jpg", "", {{"gps_lat", "48.858361"}}, {{"gps_lon", "2.294481"}}),
      PhotoDoc("/d/report.pdf", "a report on the tower",
               {{"title", "Canon of Tower Photography"}, {"pages", "12"}}),
  };
}

class PhotoSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = OpenSqliteCatalog(dir_.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    cat_ = std::move(*cat);
    ASSERT_TRUE(cat_->Commit(PhotoCorpus(), {}).ok());
  }

  PhotoSet Paths(std::string_view text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok()) << text << ": " << q.status().ToString();
    if (!q.ok()) return {};
    auto got = cat_->Search(*q, 100, 0);
    EXPECT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    PhotoSet out;
    if (!got.ok()) return out;
    EXPECT_EQ(got->total, got->hits.size()) << text;
    for (const auto& h : got->hits) out.insert(h.document.path);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Catalog> cat_;
};

TEST_F(PhotoSearch, CameraMatchesMakeOrModelCaseInsensitively) {
  EXPECT_EQ(Paths("camera:canon"), (PhotoSet{"/p/eiffel.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("camera:CANON"), (PhotoSet{"/p/eiffel.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("camera:\"EOS 5D\""), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("camera:\"eos 5d mark iv\""), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("camera:nikon"), PhotoSet{"/p/trocadero.jpg"});
  EXPECT_EQ(Paths("camera:corporation"), PhotoSet{"/p/trocadero.jpg"});  // the make alone
  EXPECT_EQ(Paths("camera:d850"), PhotoSet{"/p/trocadero.jpg"});         // the model alone
  EXPECT_EQ(Paths("camera:iPhone"), PhotoSet{"/p/sydney.jpg"});
  EXPECT_EQ(Paths("camera:iph*"), PhotoSet{"/p/sydney.jpg"});
  EXPECT_EQ(Paths("camera:powershot"), PhotoSet{"/p/nyc.jpg"});
  // Never a phrase across the make and the model.
  EXPECT_EQ(Paths("camera:\"canon canon\""), PhotoSet{});
  EXPECT_EQ(Paths("camera:\"corporation nikon\""), PhotoSet{});
  EXPECT_EQ(Paths("camera:sony"), PhotoSet{});
  // A title is not a camera, nor a camera a title.
  EXPECT_EQ(Paths("camera:photography"), PhotoSet{});
  EXPECT_EQ(Paths("title:canon"), PhotoSet{"/d/report.pdf"});
}

TEST_F(PhotoSearch, TakenComparesLocalTimesAsWritten) {
  // Local times: eiffel and east 2024-06-01 14:30:00 (offsets +02:00 and Z ignored), trocadero
  // 09:00:00, nyc 2024-06-02 00:00:00, sydney 2023-12-31 23:59:59; bad_gps's EXIF-style
  // "2024:06:01 10:00:00" is not ISO 8601 and never compares.
  EXPECT_EQ(Paths("taken>2024-06-01"),
            (PhotoSet{"/p/eiffel.jpg", "/p/east.jpg", "/p/trocadero.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("taken>2024-06-01T14:30"), PhotoSet{"/p/nyc.jpg"});  // > is strict
  EXPECT_EQ(Paths("taken>=2024-06-01T14:30"),
            (PhotoSet{"/p/eiffel.jpg", "/p/east.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("taken>2024-06-01T14:29:59"),
            (PhotoSet{"/p/eiffel.jpg", "/p/east.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("taken<2024-06-01T09:00"), PhotoSet{"/p/sydney.jpg"});  // < is strict
  EXPECT_EQ(Paths("taken<=2024-06-01T09:00"), (PhotoSet{"/p/sydney.jpg", "/p/trocadero.jpg"}));
  EXPECT_EQ(Paths("taken:2024-06-01"),
            (PhotoSet{"/p/eiffel.jpg", "/p/east.jpg", "/p/trocadero.jpg"}));
  EXPECT_EQ(Paths("taken:2024-06-01T14:30"), (PhotoSet{"/p/eiffel.jpg", "/p/east.jpg"}));
  EXPECT_EQ(Paths("taken:2024-06-02"), PhotoSet{"/p/nyc.jpg"});
  EXPECT_EQ(Paths("taken>=2024-06-02"), PhotoSet{"/p/nyc.jpg"});
  EXPECT_EQ(Paths("taken<2024-06-02"),
            (PhotoSet{"/p/sydney.jpg", "/p/trocadero.jpg", "/p/eiffel.jpg", "/p/east.jpg"}));
  // Normalized to UTC, sydney's -05:00 would put it on January 1st: it stays in 2023.
  EXPECT_EQ(Paths("taken<2024-01-01"), PhotoSet{"/p/sydney.jpg"});
  EXPECT_EQ(Paths("taken:2023-12-31T23:59:59"), PhotoSet{"/p/sydney.jpg"});
  EXPECT_EQ(Paths("taken:2024-01-01"), PhotoSet{});
  EXPECT_EQ(Paths("taken>1900-01-01").size(), 5u);
  EXPECT_EQ(Paths("taken<1900-01-01"), PhotoSet{});
}

TEST_F(PhotoSearch, WidthAndHeightCompareStrictly) {
  EXPECT_EQ(Paths("width>1920"), (PhotoSet{"/p/eiffel.jpg", "/p/sydney.jpg"}));
  EXPECT_EQ(Paths("width>1919"),
            (PhotoSet{"/p/eiffel.jpg", "/p/sydney.jpg", "/p/trocadero.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("width>=1920"),
            (PhotoSet{"/p/eiffel.jpg", "/p/sydney.jpg", "/p/trocadero.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("width:1920"), (PhotoSet{"/p/trocadero.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("width<1920"), PhotoSet{});  // "wide" is not a count
  EXPECT_EQ(Paths("width<4032"), (PhotoSet{"/p/trocadero.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("width<=4032"), (PhotoSet{"/p/trocadero.jpg", "/p/nyc.jpg", "/p/sydney.jpg"}));
  EXPECT_EQ(Paths("height>1080"), (PhotoSet{"/p/eiffel.jpg", "/p/sydney.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("height<=1080"), PhotoSet{"/p/trocadero.jpg"});
  EXPECT_EQ(Paths("height<1080"), PhotoSet{});  // "tall" is not a count
  EXPECT_EQ(Paths("width>1920 height<4000"), PhotoSet{"/p/sydney.jpg"});
  // Width is width: a page count is not one.
  EXPECT_EQ(Paths("width>10 pages>10"), PhotoSet{});
}

TEST_F(PhotoSearch, NearIsAGreatCircleRadius) {
  // Trocadero is 1.00076 km from the tower.
  EXPECT_EQ(Paths("near:48.858361,2.294481,2"), (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg"}));
  EXPECT_EQ(Paths("near:48.858361,2.294481,0.5"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("near:48.867361,2.294481,0.5km"), PhotoSet{"/p/trocadero.jpg"});
  EXPECT_EQ(Paths("near:48.858361,2.294481,1.0007"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("near:48.858361,2.294481,1.0008"),
            (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg"}));
  // The North Pole photo is 4575.86 km from the tower, New York 5837.42 km.
  EXPECT_EQ(Paths("near:48.858361,2.294481,4575"), (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg"}));
  EXPECT_EQ(Paths("near:48.858361,2.294481,5837"),
            (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg", "/p/north.jpg"}));
  EXPECT_EQ(Paths("near:48.858361,2.294481,5838"),
            (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg", "/p/north.jpg", "/p/nyc.jpg"}));
  // Southern and eastern, northern and western hemispheres.
  EXPECT_EQ(Paths("near:-33.86,151.21,1"), PhotoSet{"/p/sydney.jpg"});  // 0.606 km
  EXPECT_EQ(Paths("near:-33.86,151.21,0.6"), PhotoSet{});
  EXPECT_EQ(Paths("near:33.86,151.21,1"), PhotoSet{});  // the mirror image in the north
  EXPECT_EQ(Paths("near:40.6892,-74.0445,0.1"), PhotoSet{"/p/nyc.jpg"});
  EXPECT_EQ(Paths("near:40.6892,74.0445,0.1"), PhotoSet{});
  // Larger than half the circumference (20015 km): every valid pair.
  EXPECT_EQ(Paths("near:0,0,20100"),
            (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg", "/p/sydney.jpg", "/p/nyc.jpg",
                      "/p/east.jpg", "/p/west.jpg", "/p/north.jpg", "/p/south.jpg"}));
}

TEST_F(PhotoSearch, NearCrossesTheAntimeridianAndThePoles) {
  // 2.22390 km apart across ±180°.
  EXPECT_EQ(Paths("near:0,179.99,3"), (PhotoSet{"/p/east.jpg", "/p/west.jpg"}));
  EXPECT_EQ(Paths("near:0,-179.99,3"), (PhotoSet{"/p/east.jpg", "/p/west.jpg"}));
  EXPECT_EQ(Paths("near:0,179.99,2"), PhotoSet{"/p/east.jpg"});
  EXPECT_EQ(Paths("near:0,180,1.2"), (PhotoSet{"/p/east.jpg", "/p/west.jpg"}));  // 1.112 each
  EXPECT_EQ(Paths("near:0,-180,1.1"), PhotoSet{});
  // Over the North Pole: (89.99, 0) is 2.22390 km from north's (89.99, 180).
  EXPECT_EQ(Paths("near:89.99,0,3"), PhotoSet{"/p/north.jpg"});
  EXPECT_EQ(Paths("near:89.99,0,2"), PhotoSet{});
  EXPECT_EQ(Paths("near:90,0,1.2"), PhotoSet{"/p/north.jpg"});  // 1.112 km from the pole
  // Over the South Pole: (-89.995, -90) is 1.11195 km from south's (-89.995, 90).
  EXPECT_EQ(Paths("near:-89.995,-90,1.2"), PhotoSet{"/p/south.jpg"});
  EXPECT_EQ(Paths("near:-89.995,-90,1.1"), PhotoSet{});
}

TEST_F(PhotoSearch, NearNeedsAWellFormedPairOfOnePlugin) {
  // bad_gps ("2.294481x"), half_gps (no longitude) and split (two plugins) sit at the tower.
  EXPECT_EQ(Paths("near:48.858361,2.294481,0.001"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("exiftool.gps_lon:2.294481"), PhotoSet{"/p/split.jpg"});
}

TEST_F(PhotoSearch, PhotoFieldsCombineWithEverythingElse) {
  EXPECT_EQ(Paths("tower"),
            (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg", "/p/bad_gps.jpg", "/d/report.pdf"}));
  EXPECT_EQ(Paths("tower camera:canon"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("tower -near:48.858361,2.294481,0.5"),
            (PhotoSet{"/p/trocadero.jpg", "/p/bad_gps.jpg", "/d/report.pdf"}));
  EXPECT_EQ(Paths("camera:canon OR camera:nikon"),
            (PhotoSet{"/p/eiffel.jpg", "/p/nyc.jpg", "/p/trocadero.jpg"}));
  EXPECT_EQ(Paths("(camera:canon OR near:0,179.99,3) width>1900"),
            (PhotoSet{"/p/eiffel.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("near:48.858361,2.294481,2 taken<2024-06-01T12:00"),
            PhotoSet{"/p/trocadero.jpg"});
  EXPECT_EQ(Paths("near:48.858361,2.294481,2 -camera:nikon"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("near:48.858361,2.294481,6000 -near:48.858361,2.294481,2"),
            (PhotoSet{"/p/north.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(Paths("path:/p -near:0,0,20100"),
            (PhotoSet{"/p/bad_gps.jpg", "/p/half_gps.jpg", "/p/split.jpg"}));
  EXPECT_EQ(Paths("name:*.jpg camera:canon height>1080 width:1920"), PhotoSet{"/p/nyc.jpg"});
  EXPECT_EQ(Paths("pacific OR camera:apple"),
            (PhotoSet{"/p/east.jpg", "/p/west.jpg", "/p/sydney.jpg"}));
  EXPECT_EQ(Paths("title:canon OR camera:nikon"), (PhotoSet{"/d/report.pdf", "/p/trocadero.jpg"}));

  // Ranked by the free text, filtered by the fields.
  auto q = query::Parse("tower near:48.858361,2.294481,2");
  ASSERT_TRUE(q.ok());
  auto got = cat_->Search(*q, 10, 0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->hits.size(), 2u);
  EXPECT_EQ(got->total, 2u);
  for (const auto& hit : got->hits) EXPECT_GT(hit.score, 0.0) << hit.document.path;

  // Paged: the count is the whole answer's.
  q = query::Parse("near:0,0,20100");
  ASSERT_TRUE(q.ok());
  got = cat_->Search(*q, 3, 3);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->total, 8u);
  EXPECT_EQ(got->hits.size(), 3u);
}

TEST_F(PhotoSearch, HitsCarryThePhotoMetadata) {
  auto q = query::Parse("camera:iphone");
  ASSERT_TRUE(q.ok());
  auto got = cat_->Search(*q, 10, 0);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->hits.size(), 1u);
  const std::vector<MetadataEntry> expected = {{"camera_make", "Apple"},
                                               {"camera_model", "iPhone 15 Pro"},
                                               {"taken", "2023-12-31T23:59:59-05:00"},
                                               {"width", "4032"},
                                               {"height", "3024"},
                                               {"gps_lat", "-33.856784"},
                                               {"gps_lon", "151.215297"}};
  EXPECT_EQ(got->hits[0].metadata, expected);
}

TEST_F(PhotoSearch, CameraWordsFollowReanalysisAndRemoval) {
  ASSERT_TRUE(cat_->Commit({PhotoDoc("/p/eiffel.jpg", "the tower at noon",
                                     {{"camera_make", "FUJIFILM"}, {"camera_model", "X-T5"}})},
                           {})
                  .ok());
  EXPECT_EQ(Paths("camera:canon"), PhotoSet{"/p/nyc.jpg"});
  EXPECT_EQ(Paths("camera:fujifilm"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("camera:x-t5"), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(Paths("near:48.858361,2.294481,0.5"), PhotoSet{});  // its gps went with it
  ASSERT_TRUE(cat_->Commit({}, {"/p/nyc.jpg", "/p/eiffel.jpg"}).ok());
  EXPECT_EQ(Paths("camera:canon OR camera:fujifilm"), PhotoSet{});
  EXPECT_EQ(Paths("near:48.858361,2.294481,6000"), (PhotoSet{"/p/north.jpg", "/p/trocadero.jpg"}));
}

// near: binds its box and its circle as reals; the longitudes only when one range holds them.
TEST(PhotoSearchCompile, NearBindsTheBoxAndTheCircle) {
  auto q = query::Parse("near:48.858361,2.294481,2");
  ASSERT_TRUE(q.ok());
  auto c = Compile(*q, 10, 0);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->params.size(), 9u);  // 4 box sides, latitude, longitude, km; limit, offset
  const GeoBox box = BoundingBox(48.858361, 2.294481, 2);
  EXPECT_EQ(c->params[0], SqlValue(box.min_lat));
  EXPECT_EQ(c->params[1], SqlValue(box.max_lat));
  EXPECT_EQ(c->params[2], SqlValue(box.min_lon));
  EXPECT_EQ(c->params[3], SqlValue(box.max_lon));
  EXPECT_EQ(c->params[4], SqlValue(48.858361));
  EXPECT_EQ(c->params[5], SqlValue(2.294481));
  EXPECT_EQ(c->params[6], SqlValue(2.0));
  EXPECT_NE(c->sql.find("archivum_distance_km(la.value, lo.value, ?5, ?6) <= ?7"),
            std::string::npos)
      << c->sql;

  q = query::Parse("near:0,179.99,3");
  ASSERT_TRUE(q.ok());
  c = Compile(*q, 10, 0);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->params.size(), 7u);  // no longitude range across the antimeridian
  EXPECT_EQ(c->sql.find("CAST(lo.value AS REAL)"), std::string::npos) << c->sql;
}

// What SQLite plans for `text` on a connection of its own (with the catalog's functions).
std::string PhotoPlan(const std::filesystem::path& dir, std::string_view text) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open((dir / "catalog.db").c_str(), &db) == SQLITE_OK && RegisterTokenizer(db).ok() &&
      RegisterGeoFunctions(db).ok()) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok()) << text;
    auto compiled = q.ok() ? Compile(*q, 10, 0) : StatusOr<CompiledQuery>(Internal("no query"));
    EXPECT_TRUE(compiled.ok()) << text;
    if (compiled.ok()) {
      char* error = nullptr;
      sqlite3_exec(
          db, ("EXPLAIN QUERY PLAN " + compiled->sql).c_str(),
          [](void* acc, int columns, char** values, char**) {
            *static_cast<std::string*>(acc) += std::string(values[columns - 1]) + "\n";
            return 0;
          },
          &out, &error);
      if (error) out += std::string("error: ") + error;
      sqlite3_free(error);
    }
  }
  sqlite3_close(db);
  return out;
}

// The fields are index lookups, not scans of every finding.
TEST_F(PhotoSearch, FieldsAreAnsweredFromTheirIndexes) {
  // Each index is searched over a range (or, for the pairing, by key), not scanned whole.
  const std::pair<const char*, const char*> cases[] = {
      {"camera:canon", "metadata_text VIRTUAL TABLE INDEX"},
      {"taken>2024-01-01", "SEARCH findings USING INDEX findings_taken (<expr>>?)"},
      {"taken:2024-01-01", "SEARCH findings USING INDEX findings_taken (<expr>>? AND <expr><?)"},
      {"width>1000", "SEARCH findings USING INDEX findings_width (<expr>>?)"},
      {"height<=1000", "SEARCH findings USING INDEX findings_height (<expr><?)"},
      {"near:48.858361,2.294481,2",
       "SEARCH la USING INDEX findings_gps_lat (<expr>>? AND <expr><?)"},
      {"near:48.858361,2.294481,2",
       "SEARCH lo USING INDEX findings_gps_lon (document_id=? AND plugin=? AND <expr>>? AND "
       "<expr><?)"},
      {"near:0,179.99,3", "SEARCH la USING INDEX findings_gps_lat (<expr>>? AND <expr><?)"},
      {"near:0,179.99,3", "SEARCH lo USING INDEX findings_gps_lon (document_id=? AND plugin=?)"},
      {"near:89.99,0,3", "SEARCH la USING INDEX findings_gps_lat (<expr>>? AND <expr><?)"},
  };

  for (const auto& [text, index] : cases) {
    const std::string plan = PhotoPlan(dir_.path(), text);
    EXPECT_NE(plan.find(index), std::string::npos) << text << ":\n" << plan;
  }
}

// A store exactly as schema version 7 wrote it (metadata words without a camera column, no photo
// indexes), holding photos that an image plugin cataloged then, migrates on open: the camera
// words are built from the findings already there, the indexes exist, and every photo field
// answers for the old documents as for new ones.
TEST(PhotoSearchMigration, MigratesVersion7StoresToThePhotoFields) {
  testing::TempDir dir;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    ASSERT_TRUE((*cat)->Commit(PhotoCorpus(), {}).ok());
  }
  const char* kPhotoSchema =
      "SELECT name FROM sqlite_master WHERE name IN ('findings_taken', 'findings_width', "
      "'findings_height', 'findings_gps_lat', 'findings_gps_lon') OR (name = 'metadata_text' "
      "AND sql LIKE '%camera%') ORDER BY name";
  const std::string current = CatalogColumn0(dir.path(), kPhotoSchema);
  EXPECT_EQ(current,
            "findings_gps_lat,findings_gps_lon,findings_height,findings_taken,findings_width,"
            "metadata_text");
  {
    // Back to exactly what version 7 wrote (schema.cc, migration 6 → 7).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "catalog.db").c_str(), &db), SQLITE_OK);
    ASSERT_TRUE(RegisterTokenizer(db).ok());
    char* error = nullptr;
    const int rc = sqlite3_exec(
        db,
        "DROP INDEX findings_facets; DROP TABLE previews; DROP TABLE text_parts;"
        "DROP INDEX findings_taken; DROP INDEX findings_width; DROP INDEX findings_height;"
        "DROP INDEX findings_gps_lat; DROP INDEX findings_gps_lon;"
        "DROP TRIGGER documents_delete_metadata; DROP TABLE metadata_text;"
        "CREATE VIRTUAL TABLE metadata_text USING fts5(title, author, subject, \"from\", \"to\", "
        "language, tokenize = 'archivum');"
        "INSERT INTO metadata_text(rowid, title, author, subject, \"from\", \"to\", language)"
        "  SELECT document_id,"
        "    group_concat(CASE key WHEN 'title' THEN value END, char(30)),"
        "    group_concat(CASE key WHEN 'author' THEN value END, char(30)),"
        "    group_concat(CASE key WHEN 'subject' THEN value END, char(30)),"
        "    group_concat(CASE key WHEN 'from' THEN value END, char(30)),"
        "    group_concat(CASE key WHEN 'to' THEN value END, char(30)),"
        "    group_concat(CASE key WHEN 'language' THEN value END, char(30))"
        "  FROM findings WHERE key IN ('title', 'author', 'subject', 'from', 'to', 'language')"
        "  GROUP BY document_id ORDER BY document_id;"
        "CREATE TRIGGER documents_delete_metadata AFTER DELETE ON documents BEGIN"
        "  DELETE FROM metadata_text WHERE rowid = old.id;"
        "END;"
        "PRAGMA user_version=7;",
        nullptr, nullptr, &error);
    ASSERT_EQ(rc, SQLITE_OK) << error;
    sqlite3_close(db);
  }
  EXPECT_EQ(CatalogColumn0(dir.path(), kPhotoSchema), "");
  const std::string generation =
      CatalogColumn0(dir.path(), "SELECT value FROM catalog_state WHERE key = 'text_generation'");

  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(CatalogColumn0(dir.path(), "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(CatalogColumn0(dir.path(), kPhotoSchema), current);
  // Only the metadata words were rebuilt: the text index's token counts still hold.
  EXPECT_EQ(CatalogColumn0(dir.path(),
                           "SELECT value FROM catalog_state WHERE key = "
                           "'text_generation'"),
            generation);

  auto search = [&](std::string_view text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok()) << text;
    PhotoSet out;
    if (!q.ok()) return out;
    auto got = (*cat)->Search(*q, 100, 0);
    EXPECT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    if (got.ok()) {
      for (const auto& hit : got->hits) out.insert(hit.document.path);
    }
    return out;
  };
  EXPECT_EQ(search("camera:canon"), (PhotoSet{"/p/eiffel.jpg", "/p/nyc.jpg"}));
  EXPECT_EQ(search("camera:\"eos 5d\""), PhotoSet{"/p/eiffel.jpg"});
  EXPECT_EQ(search("camera:\"canon canon\""), PhotoSet{});
  EXPECT_EQ(search("title:canon"), PhotoSet{"/d/report.pdf"});
  EXPECT_EQ(search("taken:2024-06-01T14:30"), (PhotoSet{"/p/eiffel.jpg", "/p/east.jpg"}));
  EXPECT_EQ(search("width>1920"), (PhotoSet{"/p/eiffel.jpg", "/p/sydney.jpg"}));
  EXPECT_EQ(search("height<=1080"), PhotoSet{"/p/trocadero.jpg"});
  EXPECT_EQ(search("near:0,179.99,3"), (PhotoSet{"/p/east.jpg", "/p/west.jpg"}));
  EXPECT_EQ(search("tower near:48.858361,2.294481,2"),
            (PhotoSet{"/p/eiffel.jpg", "/p/trocadero.jpg"}));
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT count(*) FROM metadata_text"), "5");

  // Old documents are replaced and removed as new ones are.
  ASSERT_TRUE(
      (*cat)->Commit({PhotoDoc("/p/nyc.jpg", "liberty", {{"camera_make", "Leica"}})}, {}).ok());
  ASSERT_TRUE((*cat)->Commit({}, {"/p/eiffel.jpg"}).ok());
  EXPECT_EQ(search("camera:canon"), PhotoSet{});
  EXPECT_EQ(search("camera:leica"), PhotoSet{"/p/nyc.jpg"});
}

}  // namespace
}  // namespace archivum::store::sqlite
