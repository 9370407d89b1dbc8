// Facet counts (catalog.h: Facet) of a matched set, for the SQLite catalog.
//
// Two statements per call. The document facets (MIME type, extension, year and month, size band)
// are one scan of the matched rows counted by the aggregate archivum_facets
// (facet_functions.h); the metadata facets, when the catalog has any metadata of the faceted
// keys (a probe of the partial index findings_facets, schema.h), are a GROUP BY over the
// findings of the matched ids through that index, with window functions keeping the first
// kMaxFacetValues values of each key and summing the rest. Only counts come back, never the
// documents.
//
// Each value's query term is built here from the value (FacetValue::query), in the syntax of
// query/parser.h; a value the language cannot select (such as a MIME type with a '"' the parser
// would read differently, or an extension with a glob character) gets no term.
//
// Thread safety: uses `conn` alone; the caller holds it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/reader_pool.h"

namespace archivum::store::sqlite {

// The facets of the documents selected by "SELECT ... FROM <from_where>" (a FROM clause naming
// documents as d, then its WHERE), `params` bound to ?1..?n, on `reader` (whose connection has
// archivum_facets registered, as the pool's readers do). Runs in the caller's transaction.
StatusOr<std::vector<Facet>> CountFacets(Reader& reader, std::string_view from_where,
                                         std::span<const SqlValue> params);

// The facets of the cataloged documents among `paths` (Catalog::Facets), in one read
// transaction.
StatusOr<std::vector<Facet>> CountFacetsOfPaths(Reader& reader,
                                                const std::vector<std::string>& paths);

// The query term of value `value` of facet `facet` (a Facet name), or "" when the query language
// has none. Exposed for tests.
std::string FacetQuery(std::string_view facet, std::string_view value);

}  // namespace archivum::store::sqlite
