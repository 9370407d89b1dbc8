// The embedded catalog: SQLite in WAL mode, one file under the store directory.
//
// Writes go through one connection under a mutex (SQLite allows one writer); reads take a
// connection from a small pool and run concurrently with writes, as WAL allows. The schema is
// versioned with PRAGMA user_version and migrated forward on open; a database newer than this
// build is refused rather than guessed at.
//
// Thread safety: safe for concurrent use (see Catalog).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/catalog.h"

struct sqlite3;

namespace archivum::store {

class SqliteCatalog final : public Catalog {
 public:
  // The schema version this build writes.
  static constexpr int kSchemaVersion = 3;

  // Opens (creating if needed) <store_dir>/catalog.db, creating store_dir itself if missing.
  // Errors: PERMISSION_DENIED / INTERNAL with the path, FAILED_PRECONDITION if the schema is
  // newer than this build.
  static StatusOr<std::unique_ptr<SqliteCatalog>> Open(const std::filesystem::path& store_dir);

  ~SqliteCatalog() override;
  SqliteCatalog(const SqliteCatalog&) = delete;
  SqliteCatalog& operator=(const SqliteCatalog&) = delete;

  StatusOr<std::optional<DocumentRecord>> Find(std::string_view path) override;
  StatusOr<std::vector<DocumentRecord>> ListUnder(std::string_view dir) override;
  Status Commit(const std::vector<DocumentWrite>& writes,
                const std::vector<std::string>& removals) override;
  StatusOr<std::optional<DocumentDetail>> Get(std::string_view path) override;
  StatusOr<SearchResult> Search(const query::Query& query, uint32_t limit,
                                uint32_t offset) override;

  const std::filesystem::path& file() const { return file_; }

 private:
  class ReadLease;  // RAII loan of a read connection from readers_

  explicit SqliteCatalog(std::filesystem::path file) : file_(std::move(file)) {}
  StatusOr<sqlite3*> AcquireReader();
  Status WriteLocked(const std::vector<DocumentWrite>& writes,
                     const std::vector<std::string>& removals);  // requires write_mu_
  void ReleaseReader(sqlite3* db);

  std::filesystem::path file_;
  std::mutex write_mu_;
  sqlite3* writer_ = nullptr;  // guarded by write_mu_
  std::mutex readers_mu_;
  std::vector<sqlite3*> idle_readers_;  // guarded by readers_mu_
};

}  // namespace archivum::store
