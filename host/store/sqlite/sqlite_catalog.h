// The embedded catalog: SQLite in WAL mode, one file under the store directory.
//
// Writes go through one connection under a mutex (SQLite allows one writer); reads take a
// connection from a small pool and run concurrently with writes, as WAL allows. Every connection
// keeps its prepared statements (keyed by SQL text, bounded), so repeated lookups and searches of
// the same shape are not re-prepared. The schema is versioned with PRAGMA user_version and
// migrated forward on open; a database newer than this build is refused rather than guessed at.
//
// Full-text search (ranked queries, query/compiler.h): one pass over the FTS5 matches computes
// BM25 per match (store/fts_functions.h) and counts them, the page is chosen in C++, and only
// the page's documents are read and quoted (snippets). The token count per document that BM25
// needs is kept in memory (loaded on open, updated by every commit of this process), so ranking
// does not look up texts_docsize for every match; rows it does not know (written by another
// process) fall back to that lookup.
//
// Thread safety: safe for concurrent use (see Catalog).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/catalog.h"
#include "store/sqlite/fts_functions.h"

namespace archivum::store::sqlite {

class Connection;
struct CompiledQuery;

class WalCheckpointer;

class SqliteCatalog final : public Catalog {
 public:
  // The schema version this build writes.
  static constexpr int kSchemaVersion = 5;

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
  using Catalog::Search;
  StatusOr<SearchResult> Search(const query::Query& query, uint32_t limit, uint32_t offset,
                                const SearchOptions& options) override;

  const std::filesystem::path& file() const { return file_; }

 private:
  class ReadLease;  // RAII loan of a read connection from readers_
  struct Reader;    // a read connection with its statement cache and FTS function state

  explicit SqliteCatalog(std::filesystem::path file);
  StatusOr<std::unique_ptr<Reader>> AcquireReader();
  Status WriteLocked(const std::vector<DocumentWrite>& writes,
                     const std::vector<std::string>& removals,
                     std::vector<std::pair<int64_t, uint32_t>>* lengths);  // requires write_mu_
  void ReleaseReader(std::unique_ptr<Reader> reader);
  // (Re)loads the token counts from `conn` (in its current transaction, if any).
  Status LoadLengths(Connection& conn);
  void PublishLengths(const std::vector<std::pair<int64_t, uint32_t>>& updates,
                      int64_t generation);                                // requires write_mu_
  std::pair<std::shared_ptr<const DocLengths>, int64_t> lengths() const;  // and its generation
  StatusOr<SearchResult> SearchRanked(Reader& reader, const query::Query& q,
                                      const CompiledQuery& compiled, uint32_t limit,
                                      uint32_t offset, const SearchOptions& options,
                                      std::vector<int64_t>* ids);

  std::filesystem::path file_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  // Runs writer_'s WAL checkpoints on a thread of its own (null: writer_ runs them itself, as
  // SQLite does by default, if the checkpointer's connection could not be opened).
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Reader>> idle_readers_;  // guarded by readers_mu_
  mutable std::mutex lengths_mu_;
  std::shared_ptr<const DocLengths> lengths_;  // guarded by lengths_mu_; replaced, never mutated
  int64_t lengths_generation_ = -1;            // guarded by lengths_mu_; catalog_state's value
  std::mutex reload_mu_;                       // serializes LoadLengths
};

}  // namespace archivum::store::sqlite
