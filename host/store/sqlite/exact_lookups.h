// The exact lookups' fast paths: a query that is one lone sha256: or path: filter is answered
// with statements of its own instead of the compiled query's (query_compiler.h), with exactly
// the same answers.
//
// Thread safety: each call uses `conn` alone; the caller holds it (a ReadLease).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/ast.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

// The filter when the whole query is one filter on `field` ("path:DIR"), else null.
const query::Filter* SingleFilter(const query::Query& q, query::Field field);

// A lone "sha256:HEX" filter: the page of the documents with that digest in path order, and
// their number, exactly as the compiled query and its count_sql give them. The compiled
// "... ORDER BY d.path LIMIT ? OFFSET ?" sorts the matches in a temporary b-tree that SQLite
// creates and drops on every execution (a pager of its own, costing more than the index lookup
// itself), and a full page needs a second statement for the count; here one unordered pass over
// the sha256 index reads the matches once and the page is chosen in memory, keeping at most
// about 2 * (offset + limit) of them.
Status SearchSha256(Connection& conn, const std::string& digest, uint32_t limit, uint32_t offset,
                    SearchResult* result, std::vector<int64_t>* ids);

// The number of documents a lone "path:DIR" filter matches: DIR itself plus [DIR/, DIR0), as
// query_compiler.h defines it ('0' follows '/'; for "/" both are the range ["/", "0")). The
// compiled count_sql tests every index entry of [DIR, DIR0) against the page query's combined
// condition; two plain range counts only compare each entry with the range's end, which is
// cheaper per entry.
StatusOr<uint64_t> CountPath(Connection& conn, const std::string& dir);

}  // namespace archivum::store::sqlite
