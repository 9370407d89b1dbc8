#include "store/sqlite/reader_pool.h"

#include <utility>

#include "store/sqlite/geo.h"
#include "store/sqlite/tokenizer.h"

namespace archivum::store::sqlite {

StatusOr<std::unique_ptr<Reader>> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Reader> reader = std::move(idle_.back());
      idle_.pop_back();
      return reader;
    }
  }
  auto db = OpenConnection(file_, /*create=*/false);
  if (!db.ok()) return db.status();
  auto reader = std::make_unique<Reader>(*db);
  ARCHIVUM_RETURN_IF_ERROR(RegisterTokenizer(reader->conn.db()));
  ARCHIVUM_RETURN_IF_ERROR(RegisterFtsFunctions(reader->conn.db(), &reader->fts));
  ARCHIVUM_RETURN_IF_ERROR(RegisterGeoFunctions(reader->conn.db()));
  ARCHIVUM_RETURN_IF_ERROR(RegisterFacetFunctions(reader->conn.db(), &reader->facets));
  return reader;
}

void ReaderPool::Release(std::unique_ptr<Reader> reader) {
  // Bounded so a burst of concurrent queries does not keep connections forever.
  constexpr size_t kMaxIdleReaders = 16;
  reader->fts.lengths.reset();
  // A reader left inside a transaction (a failed COMMIT) would pin its snapshot and never see
  // later commits: roll back, or close it if even that fails.
  if (sqlite3_get_autocommit(reader->conn.db()) == 0) {
    (void)Exec(reader->conn.db(), "ROLLBACK");
    if (sqlite3_get_autocommit(reader->conn.db()) == 0) return;
  }
  reader->conn.Trim(kMaxCachedStatements);
  {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdleReaders) {
      idle_.push_back(std::move(reader));
      return;
    }
  }
  // Past the bound: the connection closes here, outside the lock.
}

}  // namespace archivum::store::sqlite
