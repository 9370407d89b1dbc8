// Catalog::Search for the SQLite catalog: which way of answering a query applies.
//
//   a lone sha256: filter     its own statement (exact_lookups.h), no compiled SQL
//   free text every result    ranked search (ranked_search.h)
//   must match
//   anything else             the compiled page query (query_compiler.h); its total from the
//                             connection's count cache, the path: fast path or count_sql
//
// A sort other than relevance is the compiled query's ORDER BY (query_compiler.h); ranked, its
// page comes from SearchRankedSorted. With SearchOptions::facets, the matched set is counted
// (facets.h) in the same read transaction.
// Then each hit gets its metadata (SearchOptions::metadata) and, when the query names plugin
// findings, its findings of those keys. Each search runs in one read transaction (the sha256:
// fast path only to read metadata), so a page, its total, its metadata and its findings describe
// one snapshot.
//
// Thread safety: safe for concurrent use; each call leases its own reader.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "query/ast.h"
#include "store/catalog.h"
#include "store/sqlite/doc_lengths.h"
#include "store/sqlite/reader_pool.h"

namespace archivum::store::sqlite {

// Catalog::Search's contract, on a reader of `readers`.
StatusOr<SearchResult> Search(ReaderPool& readers, DocLengthCache& lengths, const query::Query& q,
                              uint32_t limit, uint32_t offset, const SearchOptions& options);

}  // namespace archivum::store::sqlite
