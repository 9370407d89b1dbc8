// The embedded catalog: SQLite in WAL mode, one file under the store directory.
//
// Writes go through one connection under a mutex (writer.h: SQLite allows one writer); reads
// take a connection from a small pool (reader_pool.h) and run concurrently with writes, as WAL
// allows. Every connection keeps its prepared statements (keyed by SQL text, bounded), so
// repeated lookups and searches of the same shape are not re-prepared. The schema is versioned
// and migrated forward on open (schema.h); a database newer than this build is refused rather
// than guessed at. Searches: search.h; the quarantine: quarantine.h.
//
// Thread safety: safe for concurrent use (see Catalog).
#pragma once

#include <filesystem>
#include <memory>

#include "store/catalog.h"
#include "store/sqlite/doc_lengths.h"
#include "store/sqlite/reader_pool.h"
#include "store/sqlite/writer.h"

namespace archivum::store::sqlite {

class SqliteCatalog final : public Catalog {
 public:
  // Opens (creating if needed) <store_dir>/catalog.db, creating store_dir itself if missing.
  // Errors: PERMISSION_DENIED / INTERNAL with the path, FAILED_PRECONDITION if the schema is
  // newer than this build.
  static StatusOr<std::unique_ptr<SqliteCatalog>> Open(const std::filesystem::path& store_dir);

  ~SqliteCatalog() override = default;
  SqliteCatalog(const SqliteCatalog&) = delete;
  SqliteCatalog& operator=(const SqliteCatalog&) = delete;

  // The database file.
  std::string Describe() const override;
  StatusOr<std::optional<DocumentRecord>> Find(std::string_view path) override;
  StatusOr<std::vector<DocumentRecord>> ListUnder(std::string_view dir) override;
  StatusOr<uint64_t> CountDocuments() override;
  Status Commit(const std::vector<DocumentWrite>& writes,
                const std::vector<std::string>& removals) override;
  StatusOr<std::optional<DocumentDetail>> Get(std::string_view path) override;
  StatusOr<std::optional<Preview>> GetPreview(std::string_view path) override;
  StatusOr<std::optional<DocumentText>> GetText(std::string_view path, uint64_t max_bytes) override;
  StatusOr<ChildList> ListChildren(std::string_view path, uint32_t limit) override;
  StatusOr<std::vector<std::vector<MetadataEntry>>> Metadata(
      const std::vector<std::string>& paths) override;
  using Catalog::Search;
  StatusOr<SearchResult> Search(const query::Query& query, uint32_t limit, uint32_t offset,
                                const SearchOptions& options) override;
  StatusOr<std::vector<Facet>> Facets(const std::vector<std::string>& paths) override;
  StatusOr<uint64_t> Rename(const RenameRequest& request) override;
  Status AddQuarantine(const QuarantineEntry& entry) override;
  StatusOr<std::vector<QuarantineEntry>> ListQuarantine() override;
  StatusOr<uint64_t> ClearQuarantine(std::string_view plugin, std::string_view sha256) override;

 private:
  explicit SqliteCatalog(std::filesystem::path file);

  const std::filesystem::path file_;
  // Declared before writer_ and readers_, which use it, so that it outlives them.
  DocLengthCache lengths_;
  // Destroyed after readers_, so that the writer's connection is the last to close.
  std::unique_ptr<Writer> writer_;
  ReaderPool readers_;
};

}  // namespace archivum::store::sqlite
