// The aggregate function the catalog counts document facets with, private to the store.
// Registered on every read connection of the catalog (RegisterFacetFunctions).
//
//   archivum_facets(mime, ext, mtime_ns, size)
//     Counts each row into the connection's FacetFunctionContext::counts: by MIME type and
//     extension (as stored), by modification day (days since the epoch, UTC, rounded down) and by
//     size band (kSizeBandBounds). Returns the number of rows counted. An error when no counts
//     are set (nobody asked for them).
//
// Why an aggregate rather than GROUP BY: SQLite groups by sorting, and sorting the matched rows
// once per facet (or once by all four keys) costs several times the scan that finds them; the
// aggregate counts in hash tables during that one scan, and only the distinct values (a few
// types, extensions and days) come back to the catalog, never the rows.
//
// Thread safety: runs on the connection's thread; the context belongs to one connection and is
// read only while that connection runs a statement.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace archivum::store::sqlite {

// The lower bounds of size bands 1..4 (band 0 is below the first): 10 KiB, 1 MiB, 10 MiB, 100 MiB.
inline constexpr std::array<int64_t, 4> kSizeBandBounds = {10 << 10, 1 << 20, 10 << 20, 100 << 20};

// Hashes std::string and std::string_view alike, so that a row's text is looked up without a
// copy.
struct FacetKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using FacetCountMap = std::unordered_map<std::string, uint64_t, FacetKeyHash, std::equal_to<>>;

struct DocumentFacetCounts {
  FacetCountMap mime;
  FacetCountMap ext;
  std::unordered_map<int64_t, uint64_t> days;
  std::array<uint64_t, kSizeBandBounds.size() + 1> bands{};
};

struct FacetFunctionContext {
  // Set by the connection's user for the duration of one statement that runs archivum_facets.
  DocumentFacetCounts* counts = nullptr;
};

// Registers archivum_facets on `db`. `context` must outlive the connection.
Status RegisterFacetFunctions(sqlite3* db, FacetFunctionContext* context);

}  // namespace archivum::store::sqlite
