// The catalog's write path: one connection, one committer at a time (SQLite allows one writer).
//
// A commit writes documents, their findings and their texts in one transaction, bumps the commit
// generation and, once durable, publishes the texts' token counts to the DocLengthCache. The WAL
// checkpoints its commits cause run on a thread of their own (wal_checkpointer.h).
//
// Thread safety: safe for concurrent use; commits are serialized.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/doc_lengths.h"
#include "store/sqlite/wal_checkpointer.h"

namespace archivum::store::sqlite {

class Writer {
 public:
  // Opens the write connection to `file` (creating the database if needed), migrates it to this
  // build's schema (schema.h), applies the write-side settings, loads `lengths` from it and
  // starts its WAL checkpointer (if that cannot start, commits run their checkpoints themselves,
  // as SQLite does by default). `lengths` must outlive the Writer.
  static StatusOr<std::unique_ptr<Writer>> Open(const std::string& file, DocLengthCache& lengths);

  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Catalog::Commit's contract.
  Status Commit(const std::vector<DocumentWrite>& writes, const std::vector<std::string>& removals);

  // Catalog::Rename's contract.
  StatusOr<uint64_t> Rename(const RenameRequest& request);

  // Runs `write` on the write connection in a transaction of its own, serialized with commits:
  // committed if it returns OK, rolled back otherwise (its status is returned). For writes
  // beside the documents that touch no text (the quarantine): the text generation is unchanged.
  // `write` must not call back into the Writer.
  Status Transact(const std::function<Status(Connection&)>& write);

 private:
  Writer(std::unique_ptr<Connection> conn, DocLengthCache& lengths);
  // Everything but the transaction and the generation; appends each written text's (rowid,
  // tokens) to `lengths`. Requires mu_.
  // Ends the transaction the caller began (BEGIN IMMEDIATE, mu_ held) with the outcome `st` of
  // its statements: when OK, bumps the text generation first if `text_changed` (into
  // *generation), then COMMIT; on any failure ROLLBACK. Returns the outcome.
  Status EndTransaction(Status st, bool text_changed, int64_t* generation);
  Status WriteLocked(const std::vector<DocumentWrite>& writes,
                     const std::vector<std::string>& removals,
                     std::vector<std::pair<int64_t, uint32_t>>* lengths);
  // Rename's work inside its transaction; appends each moved text's (rowid, tokens) to
  // `lengths` (the path is indexed with the text, so its token count changes). Requires mu_.
  StatusOr<uint64_t> RenameLocked(const RenameRequest& request,
                                  std::vector<std::pair<int64_t, uint32_t>>* lengths);

  std::mutex mu_;
  std::unique_ptr<Connection> conn_;  // guarded by mu_
  // Runs conn_'s WAL checkpoints on a thread of its own (null: conn_ runs them itself, as SQLite
  // does by default, if the checkpointer's connection could not be opened).
  std::unique_ptr<WalCheckpointer> checkpointer_;
  DocLengthCache& lengths_;
};

}  // namespace archivum::store::sqlite
