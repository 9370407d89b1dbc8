#include "support/test_catalog.h"

#include <utility>

#include "store/sqlite_catalog.h"

namespace archivum::testing {

StatusOr<std::unique_ptr<store::Catalog>> OpenTestCatalog(const std::filesystem::path& store_dir) {
  auto catalog = store::SqliteCatalog::Open(store_dir);
  if (!catalog.ok()) return catalog.status();
  return std::unique_ptr<store::Catalog>(std::move(*catalog));
}

}  // namespace archivum::testing
