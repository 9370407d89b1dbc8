// The background WAL checkpointer on a real WAL-mode database.
#include "store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/sqlite/connection.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace {

// Frames in the WAL right now, from a PASSIVE checkpoint's report (-1 on error). While the
// checkpointer runs one, SQLite answers BUSY: wait for it and ask again.
int WalFrames(sqlite3* db, const WalCheckpointer* running = nullptr) {
  for (;;) {
    const uint64_t completed = running ? running->completed() : 0;
    int frames = -1;
    int copied = -1;
    const int rc =
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
    if (rc == SQLITE_OK) return frames;
    if (rc != SQLITE_BUSY || running == nullptr) return -1;
    running->WaitUntilCompletedExceeds(completed);
  }
}

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = (dir_.path() / "db.sqlite").string();
    auto db = OpenConnection(file_, /*create=*/true);
    ASSERT_TRUE(db.ok()) << db.status().message();
    writer_ = *db;
    ASSERT_TRUE(Exec(writer_, "CREATE TABLE t (v BLOB)").ok());
  }
  void TearDown() override { sqlite3_close_v2(writer_); }

  // Commits `count` transactions of one 64 KiB row each (4 pages of 16 KiB, plus b-tree pages).
  void Commit(int count) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(writer_, "INSERT INTO t VALUES (zeroblob(65536))", -1, &st, nullptr),
        SQLITE_OK);
    for (int i = 0; i < count; ++i) {
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
      ASSERT_EQ(sqlite3_reset(st), SQLITE_OK);
    }
    sqlite3_finalize(st);
  }

  int64_t Rows() {
    auto reader = OpenConnection(file_, /*create=*/false);
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) return -1;
    Connection conn(*reader);
    Statement st(conn, "SELECT count(*) FROM t");
    return st.Step() ? st.Int(0) : -1;
  }

  testing::TempDir dir_;
  std::string file_;
  sqlite3* writer_ = nullptr;
};

TEST_F(WalCheckpointerTest, TheWritersCheckpointsRunOnTheCheckpointersThread) {
  auto checkpointer = WalCheckpointer::Start(file_);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status().message();
  (*checkpointer)->Attach(writer_);
  // Past the threshold (~6 frames per commit): the writer's commits ask the thread.
  constexpr int kCommits = WalCheckpointer::kThresholdPages / 2;
  Commit(kCommits);
  (*checkpointer)->WaitUntilCompletedExceeds(0);
  // Once a checkpoint has copied the whole WAL, the writer's next transaction starts it over.
  (*checkpointer)->CheckpointAndWait();
  Commit(1);
  const int frames = WalFrames(writer_, checkpointer->get());
  EXPECT_GE(frames, 0);
  EXPECT_LT(frames, 50) << "the WAL was not copied and restarted";
  EXPECT_EQ(Rows(), kCommits + 1);

  // Detached (and the thread gone), the writer checkpoints by itself again: the WAL never holds
  // much more than the threshold, out of ~3,000 frames written.
  WalCheckpointer::Detach(writer_);
  checkpointer->reset();
  Commit(kCommits);
  const int after = WalFrames(writer_);
  EXPECT_GE(after, 0);
  EXPECT_LT(after, WalCheckpointer::kThresholdPages + 50) << "the writer did not checkpoint";
  EXPECT_EQ(Rows(), 2 * kCommits + 1);
}

TEST_F(WalCheckpointerTest, RequestsAreCoalescedAndStoppingWaitsForNone) {
  auto checkpointer = WalCheckpointer::Start(file_);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status().message();
  Commit(3);
  const uint64_t before = (*checkpointer)->completed();
  (*checkpointer)->Request();
  (*checkpointer)->Request();
  (*checkpointer)->WaitUntilCompletedExceeds(before);
  EXPECT_GE((*checkpointer)->completed(), before + 1);
  EXPECT_LE((*checkpointer)->completed(), before + 2);
  checkpointer->reset();  // joins the thread; nothing pending keeps it
  EXPECT_EQ(Rows(), 3);
}

TEST(WalCheckpointerStart, ReportsAMissingDatabase) {
  testing::TempDir dir;
  auto checkpointer = WalCheckpointer::Start((dir.path() / "absent" / "db.sqlite").string());
  EXPECT_FALSE(checkpointer.ok());
}

}  // namespace
}  // namespace archivum::store::sqlite
