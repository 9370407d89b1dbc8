#include "store/sqlite/wal_checkpointer.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "store/sqlite/connection.h"

namespace archivum::store::sqlite {

StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& file) {
  auto db = OpenConnection(file, /*create=*/false);
  if (!db.ok()) return db.status();
  // This connection never commits, so its own automatic checkpoint never fires; off anyway.
  sqlite3_wal_autocheckpoint(*db, 0);
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(*db));
}

WalCheckpointer::WalCheckpointer(sqlite3* db) : db_(db), worker_([this] { Checkpoint(); }) {}

WalCheckpointer::~WalCheckpointer() {
  worker_.Stop();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::Attach(sqlite3* writer) {
  sqlite3_wal_hook(writer, &WalCheckpointer::OnCommit, this);
}

void WalCheckpointer::Detach(sqlite3* writer) {
  sqlite3_wal_autocheckpoint(writer, kThresholdPages);  // also removes the hook
}

int WalCheckpointer::OnCommit(void* self, sqlite3* /*writer*/, const char* /*schema*/,
                              int wal_pages) {
  if (wal_pages >= kThresholdPages) static_cast<WalCheckpointer*>(self)->Request();
  return SQLITE_OK;
}

void WalCheckpointer::Checkpoint() {
  int wal_pages = 0;
  int copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
  // BUSY: another checkpoint was running (a reader's connection closing, say); the next commit
  // past the threshold asks again. Anything else is worth a line: the WAL keeps growing.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    spdlog::warn("store: WAL checkpoint failed: {} (code {})", sqlite3_errmsg(db_), rc);
  }
}

}  // namespace archivum::store::sqlite
