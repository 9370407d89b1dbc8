// EXIF values in the shared vocabulary's form (plugin-api/README.md): GPS coordinates as signed
// decimal degrees, capture times as ISO 8601. Pure functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::bundled::image {

// A rational as EXIF stores it: numerator, denominator.
using Rational = std::pair<int64_t, int64_t>;

enum class Axis { kLatitude, kLongitude };

// A GPS coordinate from EXIF's degrees, minutes and seconds (GPSLatitude / GPSLongitude: three
// rationals; minutes and seconds may carry fractions, and writers that know only decimal minutes
// store seconds as 0/1) and its reference ("N" or "S", "E" or "W"; case and trailing spaces or
// NULs ignored). Returns the signed decimal degrees with six decimals ("48.858361", "-2.294500"),
// south and west negative, or std::nullopt when the file does not state the coordinate clearly:
// not exactly three rationals, a zero denominator, a negative part, minutes or seconds of 60 or
// more, a result past 90 (latitude) or 180 (longitude) degrees, or a missing or unknown
// reference (the sign would be a guess).
std::optional<std::string> GpsDecimal(const std::vector<Rational>& dms, std::string_view ref,
                                      Axis axis);

// An EXIF date-time ("YYYY:MM:DD HH:MM:SS", DateTimeOriginal) as "YYYY-MM-DDTHH:MM:SS", with
// `offset` (OffsetTimeOriginal: "+HH:MM" or "-HH:MM", EXIF 2.31) appended when it is well-formed
// and ignored otherwise. EXIF times are the camera's local time: without an offset the result
// has no zone. Trailing spaces and NULs are ignored, and so is anything after the seconds
// (some writers add fractions). Returns std::nullopt for anything else, including the
// all-zero or blank placeholders cameras write when the clock is unset, and impossible values
// (month 13, 25 o'clock; the day is checked against the month, February 29 against the year).
std::optional<std::string> ExifDateTime(std::string_view value, std::string_view offset = {});

}  // namespace archivum::bundled::image
