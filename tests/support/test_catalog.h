// The catalog that in-process tests (unit_tests) write and query. This is the one place where
// those tests name the catalog's implementation; everything else goes through store::Catalog.
//
// Thread safety: as store::Catalog.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"
#include "store/catalog.h"

namespace archivum::testing {

// A catalog in `store_dir` (created if missing; empty unless a catalog is already there).
StatusOr<std::unique_ptr<store::Catalog>> OpenTestCatalog(const std::filesystem::path& store_dir);

}  // namespace archivum::testing
