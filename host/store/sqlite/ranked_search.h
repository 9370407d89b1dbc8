// Ranked full-text search (a compiled query with `ranked` set, query_compiler.h).
//
// One pass over the FTS5 matches computes BM25 per match (fts_functions.h) and counts them, the
// page is chosen in C++, and only the page's documents are read and quoted (snippets). The token
// count per document that BM25 needs comes from the DocLengthCache (doc_lengths.h), checked
// against the database in the same read transaction as the ranking, so ranking does not look up
// texts_docsize for every match; rows it does not know (written by another process) fall back to
// that lookup.
//
// Thread safety: uses `reader` alone; the caller holds it (a ReadLease). `lengths` is shared.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"
#include "store/sqlite/doc_lengths.h"
#include "store/sqlite/query_compiler.h"
#include "store/sqlite/reader_pool.h"

namespace archivum::store::sqlite {

// The page [offset, offset + limit) of `compiled`'s matches, best first (score DESC, then
// path), with the exact total; appends the page's rowids to `ids`, in page order.
StatusOr<SearchResult> SearchRanked(Reader& reader, DocLengthCache& lengths,
                                    const CompiledQuery& compiled, uint32_t limit, uint32_t offset,
                                    const SearchOptions& options, std::vector<int64_t>* ids);

// The same for `compiled` with a sort other than relevance, but without the total (the caller
// counts, with count_sql): its sql (sort key, then score, then path; LIMIT and OFFSET bound in
// its params) picks the page in SQL, with snippets for the page alone. `limit` only sizes the
// page's buffer.
StatusOr<SearchResult> SearchRankedSorted(Reader& reader, DocLengthCache& lengths,
                                          const CompiledQuery& compiled, uint32_t limit,
                                          const SearchOptions& options, std::vector<int64_t>* ids);

}  // namespace archivum::store::sqlite
