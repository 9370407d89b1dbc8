// Checkpoints a WAL-mode SQLite database from a thread of its own.
//
// By default the connection whose commit takes the WAL past 1,000 pages runs the checkpoint
// itself, inside that commit: it copies the WAL's pages into the database and fsyncs both files.
// For the catalog that connection is the ingest's committer, a single thread that the analysis
// workers wait for once their results pile up, so a checkpoint run there (the copying, and two
// fsyncs that take as long as the disk likes) stalls the whole ingest.
// With a WalCheckpointer attached, the writer's commit only signals this thread, which runs
// the same PASSIVE checkpoint on its own connection while the writer goes on: PASSIVE copies
// what readers and the writer allow and never waits for them, as SQLite's automatic checkpoint.
// The WAL restarts from its beginning at the writer's next transaction once a checkpoint has
// copied all of it.
//
// Thread safety: all methods may be called from any thread. The thread owns its connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/coalescing_worker.h"
#include "common/status.h"

namespace archivum::store::sqlite {

class WalCheckpointer {
 public:
  // The WAL size, in pages, at which a checkpoint is requested (SQLite's automatic default).
  static constexpr int kThresholdPages = 1000;

  // Opens a connection of its own to `file`, an existing database in WAL mode, and starts the
  // thread. Errors: those of opening the connection.
  static StatusOr<std::unique_ptr<WalCheckpointer>> Start(const std::string& file);

  // Stops the thread (after the checkpoint under way, if any) and closes its connection. Every
  // attached writer must have been detached or closed before.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Makes `writer` hand its checkpoints to this thread: replaces its automatic checkpoint with a
  // WAL hook that requests one here. Call from the thread that owns `writer`, between
  // transactions.
  void Attach(sqlite3* writer);
  // Undoes Attach: `writer` checkpoints automatically again.
  static void Detach(sqlite3* writer);

  // Requests a checkpoint (coalesced with one not yet started).
  void Request() { worker_.Request(); }
  // Requests a checkpoint and waits until one that began after this call has run (one already
  // under way may have started before the last commit). There is no timeout.
  void CheckpointAndWait() { worker_.RunAndWait(); }
  // Checkpoints run so far (attempts, whether or not they could copy everything).
  uint64_t completed() const { return worker_.completed(); }
  // Blocks until more than `count` checkpoints have run. There is no timeout.
  void WaitUntilCompletedExceeds(uint64_t count) const { worker_.WaitUntilCompletedExceeds(count); }

 private:
  explicit WalCheckpointer(sqlite3* db);
  // SQLite's WAL hook: called on the writer's thread after each commit, with the WAL's size.
  static int OnCommit(void* self, sqlite3* writer, const char* schema, int wal_pages);
  // One PASSIVE checkpoint on db_; runs on worker_'s thread.
  void Checkpoint();

  sqlite3* const db_;        // owned; used only by worker_'s thread (and closed by the destructor)
  CoalescingWorker worker_;  // stopped by the destructor before db_ is closed
};

}  // namespace archivum::store::sqlite
