// The one place that knows every catalog implementation: opens the one the configuration names.
//
// A new backend is a folder beside sqlite/ implementing Catalog (catalog.h), a
// config::StoreBackend value with its name in the config schema, and a case here.
//
// Thread safety: OpenCatalog may be called from any thread; what it returns is a Catalog.
#pragma once

#include <memory>

#include "common/status.h"
#include "config/config.h"
#include "store/catalog.h"

namespace archivum::store {

// Opens (creating if needed) the catalog of `store.backend` with its data under `store.path`.
// Errors: those of the implementation's opening (e.g. PERMISSION_DENIED for a directory that
// cannot be created, FAILED_PRECONDITION for a store written by a newer build).
StatusOr<std::unique_ptr<Catalog>> OpenCatalog(const config::Store& store);

}  // namespace archivum::store
