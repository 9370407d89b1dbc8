// The quarantine table (schema.h): Catalog::AddQuarantine, ListQuarantine and ClearQuarantine's
// SQL, on a connection the caller holds.
//
// Thread safety: each call uses `conn` alone. Writes run on the writer's connection inside
// Writer::Transact; reads on a reader (a ReadLease).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

// Catalog::AddQuarantine: an upsert keyed by (sha256, plugin, plugin_version).
Status UpsertQuarantine(Connection& conn, const QuarantineEntry& entry);

// Catalog::ListQuarantine: newest first.
StatusOr<std::vector<QuarantineEntry>> SelectQuarantine(Connection& conn);

// Catalog::ClearQuarantine: the number of rows removed.
StatusOr<uint64_t> DeleteQuarantine(Connection& conn, std::string_view plugin,
                                    std::string_view sha256);

}  // namespace archivum::store::sqlite
