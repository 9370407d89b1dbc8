// PDF date strings (ISO 32000-1, 7.9.4: "D:YYYYMMDDHHmmSSOHH'mm'") in the metadata vocabulary's
// UTC form (plugin-api/README.md).
//
// Thread safety: a pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace archivum::bundled::pdf {

// `raw` as "YYYY-MM-DDTHH:MM:SSZ" (converted to UTC with the stated offset), or as "YYYY-MM-DD"
// when the string states only the day. Returns std::nullopt for anything that is not a date the
// string states exactly: a year or month alone (the day would be a guess), a field out of range
// (month 13, February 30, hour 24, offset +24), trailing garbage, a result outside years
// 0000..9999. A time without an offset is taken as UTC (the PDF leaves its zone unknown, and
// UTC is what every reader assumes).
//
// Why not poppler::convert_date_t: it accepts out-of-range fields and normalizes them (month 13
// becomes January of the next year) and misreads offsets without apostrophes ("+0530"), so a
// damaged date would be cataloged as a plausible but wrong one.
std::optional<std::string> NormalizePdfDate(std::string_view raw);

}  // namespace archivum::bundled::pdf
