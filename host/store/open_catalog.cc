#include "store/open_catalog.h"

#include <string>
#include <utility>

#include "store/sqlite/sqlite_catalog.h"

namespace archivum::store {

StatusOr<std::unique_ptr<Catalog>> OpenCatalog(const config::Store& store) {
  switch (store.backend) {
    case config::StoreBackend::kSqlite: {
      auto catalog = sqlite::SqliteCatalog::Open(store.path);
      if (!catalog.ok()) return catalog.status();
      return std::unique_ptr<Catalog>(std::move(*catalog));
    }
  }
  return InvalidArgument("store.backend: unknown backend " +
                         std::to_string(static_cast<int>(store.backend)));
}

}  // namespace archivum::store
