// Compiles a parsed query (query/ast.h) into parameterized SQL over the catalog's schema
// (schema.h): documents d, findings, and the FTS5 table texts (rowid = d.id).
//
// Shape of the result:
//   sql        SELECT d.id, d.path, d.size, d.mtime_ns, d.mime, <score> AS score,
//              <snippet> AS snippet FROM documents d [JOIN texts ON texts.rowid = d.id]
//              WHERE ... ORDER BY ... LIMIT ?L OFFSET ?O (the order: see `sort` below)
//   count_sql  SELECT count(*) over the same FROM and WHERE.
//   rank_sql   (ranked queries only) every match with its BM25 score, unordered, with
//              count_params(). Without filters (rank_without_filters): SELECT count(*) FROM
//              texts WHERE texts MATCH ?1 AND archivum_rank(texts, 4.0, 1.0) IS NULL, in which
//              archivum_rank hands each (score, rowid) to the catalog directly; with filters:
//              SELECT d.id, archivum_rank(texts, 4.0, 1.0) over the same FROM and WHERE.
//              archivum_rank (fts_functions.h) is the same BM25 as -bm25(texts, 4.0, 1.0).
//              The catalog counts the matches, picks the page itself, then fetches documents and
//              snippets for the page only.
//   fts_match  (ranked queries only) the FTS5 expression bound to ?1 in all three.
// User values are only ever bound parameters (?1..?n, numbered); SQL text is built from fixed
// fragments. Free text becomes an FTS5 expression of quoted strings (fts_expression.h), bound too.
//
// Ranking: when the query's top-level AND has free-text terms (words, phrases, prefixes, OR
// groups of them, plus excluded free text), they compile into ONE "texts MATCH ?" on the joined
// FTS table; score is -bm25(texts, 4.0, 1.0) (a word in the path weighs 4x one in the body;
// higher is better), snippet is snippet(texts, 1, '[', ']', '…', 12) over the body, and rows
// are ordered by score DESC, d.path. Otherwise (filters only, or free text only under OR or NOT
// mixed with filters) free text is tested with "d.id [NOT] IN (SELECT rowid FROM texts WHERE
// texts MATCH ?)", score is 0.0, snippet '' and rows are ordered by d.path.
//
// Filters: mime/name are case-insensitive globs (lower(col) GLOB ?, ASCII folding as SQLite's
// lower()); path is "the directory or under it" as one range scan in path order (d.path >= 'dir'
// AND d.path < 'dir0' AND (d.path = 'dir' OR d.path >= 'dir/')); size and modified compare
// d.size / d.mtime_ns; dup is "sha256 non-empty and seen more than once"; PLUGIN.KEY:VALUE is
// "d.id IN (SELECT document_id FROM findings ...)" with the value as a GLOB in which only '*' is
// a wildcard. The metadata word fields (title, author, subject, from, to, lang, camera) are
// "d.id IN (SELECT rowid FROM metadata_text WHERE metadata_text MATCH ?)" with an FTS5 column
// filter "{column} : \"words\"" (metadata_text.h); pages, created, taken, width and height are
// "d.id IN (SELECT document_id FROM findings WHERE key = 'pages'|... AND ...)" with the key a
// literal, so that the partial indexes findings_pages ... findings_height (schema.h) serve them;
// created and taken compare ISO strings (TimeBound in the .cc explains date-only values; taken
// compares the first 19 characters, the local date-time without its offset). near is a join of
// each gps_lat finding with the gps_lon of the same document and plugin, narrowed by a bounding
// box (geo.h) whose latitudes findings_gps_lat searches (the longitudes are tested in the same
// findings_gps_lon seek that finds the pair) and decided by archivum_distance_km,
// which the connection must have registered (RegisterGeoFunctions; the catalog's readers do).
// Parameters are integers, texts, or reals (near's degrees and km). Exclusions compile to
// NOT (...); all schema columns involved are NOT NULL, and archivum_distance_km's NULL for a
// malformed value stays inside the subquery, so NOT never meets NULL.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/ast.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

struct CompiledQuery {
  // Empty when !has_catalog_terms (a verbs-only query has nothing to ask the catalog).
  std::string sql;
  std::string count_sql;
  std::string rank_sql;   // empty unless ranked
  std::string fts_match;  // empty unless ranked
  // Whether rank_sql reads the FTS table alone (every row it visits is a match of fts_match).
  bool rank_without_filters = false;
  // Bound in order to ?1..?n. For sql all of them; the last two are LIMIT and OFFSET.
  std::vector<SqlValue> params;
  // Verbs for the host to dispatch to their plugins, in query order.
  std::vector<query::VerbCall> verbs;
  bool has_catalog_terms = false;
  // Whether the query has free text every result matches (joined FTS table, a BM25 score). With
  // SortOrder::kRelevance, sql orders by that score; unranked, by path with score 0.
  bool ranked = false;
  // The order sql lists the rows in. Other than kRelevance, sql orders by the sort key, then
  // (ranked) the score, then d.path; ranked, its score column is archivum_rank(texts, 4.0, 1.0)
  // (the connection's FTS context must be ready for it, as for rank_sql) and its snippet ''.
  SortOrder sort = SortOrder::kRelevance;
  // "FROM ... WHERE ..." of count_sql, with count_params(): the matched set (facets.h).
  std::string from_where;

  // The parameters of count_sql: params without LIMIT and OFFSET (empty when no catalog terms).
  std::span<const SqlValue> count_params() const {
    return params.size() < 2 ? std::span<const SqlValue>()
                             : std::span<const SqlValue>(params.data(), params.size() - 2);
  }
};

// Compiles `query`, its rows in `sort` order. limit >= 0 (the caller clamps it) and offset >= 0,
// else INVALID_ARGUMENT. A tree that breaks ast.h's structural invariants (child counts) is
// INTERNAL.
StatusOr<CompiledQuery> Compile(const query::Query& query, int64_t limit, int64_t offset,
                                SortOrder sort = SortOrder::kRelevance);

}  // namespace archivum::store::sqlite
