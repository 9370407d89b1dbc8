// The token count of every document, kept in memory for ranking (fts_functions.h).
//
// BM25 needs each match's length in tokens. FTS5 keeps it in texts_docsize, one lookup per
// match; DocLengthCache holds the same counts in memory: loaded on open, updated by every commit
// of this process, and checked against catalog_state's text_generation (bumped by every commit,
// whichever process makes it) before each ranking, so a snapshot is used only while it describes
// the database. Rows it does not know fall back to the texts_docsize lookup, so a stale or
// missing snapshot changes nothing but speed.
//
// Thread safety: DocLengthCache is safe for concurrent use; a published snapshot is immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

// Tokens per document (all columns), indexed by rowid; 0 = unknown. Immutable once published.
using DocLengths = std::vector<uint32_t>;

// Row ids past this are not kept in the in-memory token counts (ranking looks them up instead).
inline constexpr int64_t kMaxLengthRowid = int64_t{1} << 26;

// The sum of the varints in a texts_docsize.sz record (the row's tokens over all columns).
uint32_t DocsizeTotal(const unsigned char* data, int size);

// The commit generation the database is at; call inside a transaction to pair it with reads.
StatusOr<int64_t> ReadTextGeneration(Connection& conn);

// Increments the commit generation inside the caller's write transaction; returns the new one.
StatusOr<int64_t> BumpTextGeneration(Connection& conn);

class DocLengthCache {
 public:
  // (Re)loads the token counts from `conn` (in its current transaction, if any; else in one of
  // its own), unless the snapshot already has the database's generation.
  Status Load(Connection& conn);

  // Publishes the counts `updates` (rowid, tokens) of the commit that brought the database to
  // `generation`, on top of the snapshot of generation - 1; any other snapshot is left for the
  // next search to reload. Call in commit order (the writer calls it under its lock).
  void Publish(const std::vector<std::pair<int64_t, uint32_t>>& updates, int64_t generation);

  // The current snapshot and its generation: null and -1 before the first Load.
  std::pair<std::shared_ptr<const DocLengths>, int64_t> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const DocLengths> lengths_;  // guarded by mu_; replaced, never mutated
  int64_t generation_ = -1;                    // guarded by mu_; catalog_state's value
  std::mutex reload_mu_;                       // serializes Load
};

}  // namespace archivum::store::sqlite
