#include "store/sqlite/sqlite_catalog.h"

#include <string>
#include <system_error>
#include <utility>

#include "store/sqlite/documents.h"
#include "store/sqlite/facets.h"
#include "store/sqlite/quarantine.h"
#include "store/sqlite/search.h"

namespace archivum::store::sqlite {

SqliteCatalog::SqliteCatalog(std::filesystem::path file)
    : file_(std::move(file)), readers_(file_.string()) {}

StatusOr<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return PermissionDenied("cannot create store directory " + dir.string() + ": " + ec.message());
  }
  std::unique_ptr<SqliteCatalog> catalog(new SqliteCatalog(dir / "catalog.db"));
  auto writer = Writer::Open(catalog->file_.string(), catalog->lengths_);
  if (!writer.ok()) return writer.status();
  catalog->writer_ = std::move(*writer);
  return catalog;
}

std::string SqliteCatalog::Describe() const {
  return file_.string();
}

StatusOr<std::optional<DocumentRecord>> SqliteCatalog::Find(std::string_view path) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return FindDocument(lease.conn(), path);
}

StatusOr<std::vector<DocumentRecord>> SqliteCatalog::ListUnder(std::string_view dir) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return ListDocumentsUnder(lease.conn(), dir);
}

StatusOr<uint64_t> SqliteCatalog::CountDocuments() {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return sqlite::CountDocuments(lease.conn());
}

Status SqliteCatalog::Commit(const std::vector<DocumentWrite>& writes,
                             const std::vector<std::string>& removals) {
  return writer_->Commit(writes, removals);
}

StatusOr<std::optional<DocumentDetail>> SqliteCatalog::Get(std::string_view path) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return GetDocument(lease.conn(), path);
}

StatusOr<std::optional<Preview>> SqliteCatalog::GetPreview(std::string_view path) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return GetDocumentPreview(lease.conn(), path);
}

StatusOr<std::optional<DocumentText>> SqliteCatalog::GetText(std::string_view path,
                                                             uint64_t max_bytes) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  ReadTransaction txn(lease.conn());  // the text and its parts from one snapshot
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  return GetDocumentText(lease.conn(), path, max_bytes);
}

StatusOr<ChildList> SqliteCatalog::ListChildren(std::string_view path, uint32_t limit) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  // The count and the page describe one snapshot.
  ReadTransaction txn(lease.conn());
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  return ListChildDocuments(lease.conn(), path, limit);
}

StatusOr<std::vector<std::vector<MetadataEntry>>> SqliteCatalog::Metadata(
    const std::vector<std::string>& paths) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  ReadTransaction txn(lease.conn());
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  return MetadataOfPaths(lease.conn(), paths);
}

StatusOr<SearchResult> SqliteCatalog::Search(const query::Query& q, uint32_t limit, uint32_t offset,
                                             const SearchOptions& options) {
  return sqlite::Search(readers_, lengths_, q, limit, offset, options);
}

StatusOr<std::vector<Facet>> SqliteCatalog::Facets(const std::vector<std::string>& paths) {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return CountFacetsOfPaths(*lease.reader(), paths);
}

StatusOr<uint64_t> SqliteCatalog::Rename(const RenameRequest& request) {
  return writer_->Rename(request);
}

Status SqliteCatalog::AddQuarantine(const QuarantineEntry& entry) {
  return writer_->Transact([&](Connection& conn) { return UpsertQuarantine(conn, entry); });
}

StatusOr<std::vector<QuarantineEntry>> SqliteCatalog::ListQuarantine() {
  ReadLease lease(readers_);
  if (!lease.reader()) return lease.status();
  return SelectQuarantine(lease.conn());
}

StatusOr<uint64_t> SqliteCatalog::ClearQuarantine(std::string_view plugin,
                                                  std::string_view sha256) {
  uint64_t removed = 0;
  ARCHIVUM_RETURN_IF_ERROR(writer_->Transact([&](Connection& conn) {
    auto deleted = DeleteQuarantine(conn, plugin, sha256);
    if (!deleted.ok()) return deleted.status();
    removed = *deleted;
    return Status::Ok();
  }));
  return removed;
}

}  // namespace archivum::store::sqlite
