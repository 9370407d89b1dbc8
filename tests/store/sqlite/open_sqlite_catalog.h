// The SQLite catalog as the daemon opens it: through OpenCatalog with store.backend sqlite.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"
#include "config/config.h"
#include "store/catalog.h"
#include "store/open_catalog.h"

namespace archivum::store::sqlite {

// OpenCatalog for the SQLite backend with its data under `dir`.
inline StatusOr<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::filesystem::path& dir) {
  config::Store store;
  store.path = dir;
  store.backend = config::StoreBackend::kSqlite;
  return OpenCatalog(store);
}

}  // namespace archivum::store::sqlite
