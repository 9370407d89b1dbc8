// Great-circle geometry for the query language's near:LAT,LON,KM (query_compiler.h): the exact
// distance the catalog tests with, the bounding box that lets an index narrow the candidates
// first, and the SQL function that runs the exact test inside a statement.
//
// The Earth is a sphere of the mean radius (IUGG R1 = 6371.0088 km); haversine distances on it
// differ from geodesics on the WGS 84 ellipsoid by at most about 0.5 %, well within what a
// "photos near here" radius means.
//
//   archivum_distance_km(lat1, lon1, lat2, lon2)
//     The haversine distance in km between two points given in decimal degrees, each argument
//     a number or a text holding one. NULL when any argument is NULL, is not a plain decimal
//     (ParseDegrees), or is out of range (latitude outside [-90, 90], longitude outside
//     [-180, 180]): a malformed gps finding never matches. Deterministic and innocuous.
//     Registered by the catalog on its reader connections (reader_pool.cc); SQLite's optional
//     math functions are not relied on (and would not parse the text strictly).
//
// Thread safety: pure functions; the SQL function keeps no state.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string_view>

#include "common/status.h"

namespace archivum::store::sqlite {

inline constexpr double kEarthRadiusKm = 6371.0088;

// Haversine distance in km between (lat1, lon1) and (lat2, lon2), in degrees. Exact for
// antipodes and coincident points alike (the argument of asin is clamped to [0, 1]).
double HaversineKm(double lat1, double lon1, double lat2, double lon2);

// The degrees in `text` when it is a plain decimal: an optional sign, digits, an optional '.'
// and digits (at least one digit in all); no spaces, exponent, infinity or NaN. nullopt
// otherwise. Range is not checked here.
std::optional<double> ParseDegrees(std::string_view text);

// A latitude/longitude box holding every point within some distance of a center.
struct GeoBox {
  double min_lat = -90;
  double max_lat = 90;
  // When true, every longitude is inside and min_lon / max_lon mean nothing: the circle holds a
  // pole, or crosses the antimeridian (±180°), where a single longitude range cannot express it.
  bool all_longitudes = true;
  double min_lon = -180;
  double max_lon = 180;
};

// A box around every point within `km` of (lat, lon) (degrees; km > 0), slightly widened so
// that rounding never drops a point the exact test would keep: a prefilter, never the answer.
// Following J. Matuschek's "Finding Points Within a Distance of a Latitude/Longitude Using
// Bounding Coordinates": the latitudes are lat ± km/R; the longitudes lon ± asin(sin(km/R) /
// cos(lat)) unless a pole lies within the radius (then all of them).
GeoBox BoundingBox(double lat, double lon, double km);

// Registers archivum_distance_km on `db`.
Status RegisterGeoFunctions(sqlite3* db);

}  // namespace archivum::store::sqlite
