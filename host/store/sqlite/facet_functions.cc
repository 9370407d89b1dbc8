#include "store/sqlite/facet_functions.h"

#include <string>

#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {
namespace {

constexpr int64_t kNanosPerDay = int64_t{86400} * 1'000'000'000;

std::string_view TextArg(sqlite3_value* v) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_value_bytes(v))};
}

void Count(FacetCountMap& map, std::string_view key) {
  if (auto it = map.find(key); it != map.end()) {
    ++it->second;
  } else {
    map.emplace(std::string(key), 1);
  }
}

void Step(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* context = static_cast<FacetFunctionContext*>(sqlite3_user_data(ctx));
  if (context->counts == nullptr || argc != 4) {
    sqlite3_result_error(ctx, "archivum_facets: no counts were asked for", -1);
    return;
  }
  // The aggregate's own state is only its row count.
  auto* rows = static_cast<int64_t*>(sqlite3_aggregate_context(ctx, sizeof(int64_t)));
  if (rows == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  ++*rows;
  DocumentFacetCounts& counts = *context->counts;
  Count(counts.mime, TextArg(argv[0]));
  Count(counts.ext, TextArg(argv[1]));
  const int64_t mtime = sqlite3_value_int64(argv[2]);
  // Rounded down, also before the epoch.
  const int64_t day = mtime / kNanosPerDay - (mtime % kNanosPerDay < 0 ? 1 : 0);
  ++counts.days[day];
  const int64_t size = sqlite3_value_int64(argv[3]);
  size_t band = 0;
  while (band < kSizeBandBounds.size() && size >= kSizeBandBounds[band]) ++band;
  ++counts.bands[band];
}

void Final(sqlite3_context* ctx) {
  auto* rows = static_cast<int64_t*>(sqlite3_aggregate_context(ctx, 0));
  sqlite3_result_int64(ctx, rows == nullptr ? 0 : *rows);
}

}  // namespace

Status RegisterFacetFunctions(sqlite3* db, FacetFunctionContext* context) {
  if (sqlite3_create_function_v2(db, "archivum_facets", 4, SQLITE_UTF8 | SQLITE_DIRECTONLY, context,
                                 nullptr, Step, Final, nullptr) != SQLITE_OK) {
    return SqliteError(db, "registering archivum_facets");
  }
  return Status::Ok();
}

}  // namespace archivum::store::sqlite
