#include "support/test_catalog.h"

#include "config/config.h"
#include "store/open_catalog.h"

namespace archivum::testing {

StatusOr<std::unique_ptr<store::Catalog>> OpenTestCatalog(const std::filesystem::path& store_dir) {
  config::Store store;  // the default backend, as a daemon without a config file opens it
  store.path = store_dir;
  return store::OpenCatalog(store);
}

}  // namespace archivum::testing
