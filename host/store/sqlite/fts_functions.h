// FTS5 auxiliary functions the catalog ranks and quotes full-text hits with, private to the
// store. Registered on every catalog connection (RegisterFtsFunctions).
//
//   archivum_rank(texts, w_path, w_body)
//     Okapi BM25 exactly as FTS5's bm25() computes it (k1 = 1.2, b = 0.75, per-phrase IDF over
//     the whole table, column weights), but returned positive (higher is better) and cheaper
//     per row: term frequencies come from each phrase's own position list (no merged instance
//     array), and the row's token count comes from the connection's DocLengths snapshot instead
//     of a texts_docsize lookup per row; a row the snapshot does not know falls back to that
//     lookup, so a stale or missing snapshot changes nothing but speed.
//
//   archivum_snippet(texts)
//     About twelve tokens of the body (column 1) around the first place where the most distinct
//     query phrases occur close together, matches between '[' and ']', '…' where text was cut.
//     Unlike FTS5's snippet(), which tokenizes the whole body to score every fragment, it only
//     tokenizes the body up to the end of the chosen window; and it marks byte ranges of the
//     original text, so tokens that overlap (the CJK bigrams of tokenizer.h, which FTS5's own
//     snippet() and highlight() would copy twice) are quoted once. Without a match in the body it
//     returns the body's first twelve tokens. NULL for rows outside the context's
//     snippet_rows, when that is set.
//
// Thread safety: the functions run on the connection's thread; FtsFunctionContext belongs to
// one connection and is read only while that connection runs a statement.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/sqlite/doc_lengths.h"

namespace archivum::store::sqlite {

struct FtsFunctionContext {
  // Set by the connection's user before running archivum_rank; may be null.
  std::shared_ptr<const DocLengths> lengths;
  // When not null, archivum_rank appends (score, rowid) here and returns NULL, so a query such
  // as "SELECT count(*) ... WHERE texts MATCH ? AND archivum_rank(texts) IS NULL" ranks every
  // match without handing each row back through sqlite3_step.
  std::vector<std::pair<double, int64_t>>* collect = nullptr;
  // Set when every row the query visits matches its only phrase (no filters, no NOT): then the
  // phrase's document frequency is the number of rows collected, so archivum_rank skips the
  // separate pass FTS5's bm25() makes to count it, leaves the IDF factor out of the scores and
  // sets idf_deferred and table_rows; the caller multiplies by BM25's IDF afterwards
  // (ApplyDeferredIdf).
  bool may_defer_idf = false;
  bool idf_deferred = false;
  int64_t table_rows = 0;
  // When not null, archivum_snippet quotes only these rows (sorted ascending) and returns NULL
  // for the others, so one pass over a rowid range can quote a page cheaply.
  const std::vector<int64_t>* snippet_rows = nullptr;
};

// The connection's FTS5 API (owned by SQLite, valid while `db` is open), or null without FTS5.
fts5_api* GetFts5Api(sqlite3* db);

// Registers archivum_rank and archivum_snippet on `db`. `context` must outlive the connection.
Status RegisterFtsFunctions(sqlite3* db, FtsFunctionContext* context);

// Multiplies collected scores by the IDF of a phrase found in all of them, when the context
// says it was deferred (see FtsFunctionContext::may_defer_idf); resets the deferral.
void ApplyDeferredIdf(FtsFunctionContext* context, std::vector<std::pair<double, int64_t>>* rows);

}  // namespace archivum::store::sqlite
