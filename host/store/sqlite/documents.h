// Reading documents by path: Catalog::Find, ListUnder, Get, ListChildren and Metadata on one read
// connection.
//
// Thread safety: each call uses `conn` alone; the caller holds it (a ReadLease).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

// Catalog::Find.
StatusOr<std::optional<DocumentRecord>> FindDocument(Connection& conn, std::string_view path);

// Catalog::CountDocuments.
StatusOr<uint64_t> CountDocuments(Connection& conn);

// Catalog::ListUnder: one range scan of the path index.
StatusOr<std::vector<DocumentRecord>> ListDocumentsUnder(Connection& conn, std::string_view dir);

// Catalog::Get.
StatusOr<std::optional<DocumentDetail>> GetDocument(Connection& conn, std::string_view path);

// Catalog::GetPreview.
StatusOr<std::optional<Preview>> GetDocumentPreview(Connection& conn, std::string_view path);

// Catalog::GetText: reads the text from the full-text table (its stored column) and the parts.
StatusOr<std::optional<DocumentText>> GetDocumentText(Connection& conn, std::string_view path,
                                                      uint64_t max_bytes);

// Catalog::ListChildren: over the documents_parent index.
StatusOr<ChildList> ListChildDocuments(Connection& conn, std::string_view path, uint32_t limit);

// Appends the metadata (Catalog::Metadata) of the document with id `id` to *out: one lookup of
// the findings_document index.
Status AppendMetadata(Connection& conn, int64_t id, std::vector<MetadataEntry>* out);
// The same for several documents in one statement: the entries of ids[i] go to *out(i), each
// in the order they were recorded (a search page's hits).
Status AppendMetadataOfIds(Connection& conn, const std::vector<int64_t>& ids,
                           const std::function<std::vector<MetadataEntry>*(size_t)>& out);

// Catalog::Metadata.
StatusOr<std::vector<std::vector<MetadataEntry>>> MetadataOfPaths(
    Connection& conn, const std::vector<std::string>& paths);

}  // namespace archivum::store::sqlite
