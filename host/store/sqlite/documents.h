// Reading documents by path: Catalog::Find, ListUnder and Get on one read connection.
//
// Thread safety: each call uses `conn` alone; the caller holds it (a ReadLease).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

// Catalog::Find.
StatusOr<std::optional<DocumentRecord>> FindDocument(Connection& conn, std::string_view path);

// Catalog::ListUnder: one range scan of the path index.
StatusOr<std::vector<DocumentRecord>> ListDocumentsUnder(Connection& conn, std::string_view dir);

// Catalog::Get.
StatusOr<std::optional<DocumentDetail>> GetDocument(Connection& conn, std::string_view path);

}  // namespace archivum::store::sqlite
