#include "store/sqlite/geo.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <system_error>

#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {
namespace {

constexpr double kRadiansPerDegree = std::numbers::pi / 180.0;
// Added to every side of a box: about 0.1 m, far above double rounding of degrees (1e-14) and far
// below anything a radius means.
constexpr double kBoxMarginDegrees = 1e-6;

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// The degrees of a function argument: a number as it is, a text through ParseDegrees.
std::optional<double> ArgumentDegrees(sqlite3_value* value) {
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: return sqlite3_value_double(value);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
      if (text == nullptr) return std::nullopt;  // out of memory
      return ParseDegrees(std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(value))));
    }
    default: return std::nullopt;
  }
}

void DistanceFunction(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (argc != 4) {
    sqlite3_result_error(context, "archivum_distance_km takes 4 arguments", -1);
    return;
  }
  double degrees[4];
  for (int i = 0; i < 4; ++i) {
    const std::optional<double> d = ArgumentDegrees(argv[i]);
    // Even arguments are latitudes, odd ones longitudes.
    const double limit = i % 2 == 0 ? 90.0 : 180.0;
    if (!d || !(std::fabs(*d) <= limit)) {
      sqlite3_result_null(context);
      return;
    }
    degrees[i] = *d;
  }
  sqlite3_result_double(context, HaversineKm(degrees[0], degrees[1], degrees[2], degrees[3]));
}

}  // namespace

double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
  const double phi1 = lat1 * kRadiansPerDegree;
  const double phi2 = lat2 * kRadiansPerDegree;
  const double half_dphi = (lat2 - lat1) * kRadiansPerDegree / 2;
  const double half_dlambda = (lon2 - lon1) * kRadiansPerDegree / 2;
  const double a = std::sin(half_dphi) * std::sin(half_dphi) + std::cos(phi1) * std::cos(phi2) *
                                                                   std::sin(half_dlambda) *
                                                                   std::sin(half_dlambda);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::clamp(a, 0.0, 1.0)));
}

std::optional<double> ParseDegrees(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  size_t digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  }
  if (digits == 0 || i != text.size()) return std::nullopt;
  // from_chars reads no '+', and reads in the C locale whatever the process's locale is.
  const size_t from = text[0] == '+' ? 1 : 0;
  double out = 0;
  const auto [end, ec] = std::from_chars(text.data() + from, text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

GeoBox BoundingBox(double lat, double lon, double km) {
  GeoBox box;
  const double delta = km / kEarthRadiusKm;  // the radius as an angle, radians
  const double delta_degrees = delta / kRadiansPerDegree;
  box.min_lat = lat - delta_degrees - kBoxMarginDegrees;
  box.max_lat = lat + delta_degrees + kBoxMarginDegrees;
  if (box.min_lat <= -90 || box.max_lat >= 90) {
    // A pole within the radius: every longitude reaches it.
    box.min_lat = std::max(box.min_lat, -90.0);
    box.max_lat = std::min(box.max_lat, 90.0);
    return box;
  }
  // No pole inside, so |lat| + delta < 90°: cos(lat) > sin(delta) >= 0 and the ratio is below 1.
  const double dlon =
      std::asin(std::sin(delta) / std::cos(lat * kRadiansPerDegree)) / kRadiansPerDegree +
      kBoxMarginDegrees;
  if (lon - dlon < -180 || lon + dlon > 180) return box;  // across the antimeridian
  box.all_longitudes = false;
  box.min_lon = lon - dlon;
  box.max_lon = lon + dlon;
  return box;
}

Status RegisterGeoFunctions(sqlite3* db) {
  if (sqlite3_create_function_v2(db, "archivum_distance_km", 4,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                 DistanceFunction, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db, "registering archivum_distance_km");
  }
  return Status::Ok();
}

}  // namespace archivum::store::sqlite
