// Persistent path -> MinHash signature map of the `similar` plugin, in SQLite.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "similar/minhash.h"

namespace archivum::bundled::similar {

// One SQLite database (WAL mode) with a table signatures(path PRIMARY KEY, signature BLOB) and
// a meta table recording which parameters produced the signatures. Signatures are stored as
// num_hashes little-endian 64-bit values.
//
// Writes are batched: Put() and Remove() add to one open write transaction, committed after
// kBatchWrites writes, or by a background thread at most kBatchDelay after the transaction
// began, and on destruction, and by Flush(), which the host calls (through the plugin's flush
// entry point) before it catalogs the files whose signatures were written. Reads through this
// store see uncommitted writes (same connection); other connections see them once committed. So
// a crash loses at most the open batch, whose files the catalog does not have yet: the next
// ingest analyzes them again. Far cheaper than one transaction per file.
//
// Thread safety: all methods are safe to call concurrently; they share one connection and its
// cached statements, guarded by mu_. Other processes may open the same file (SQLite locking,
// 5 s busy timeout).
class SignatureStore {
 public:
  // Opens or creates `file` ("" or ":memory:" for a private in-memory database). `params`
  // describes the algorithm and settings (e.g. "minhash-v1 hashes=128 shingle=3"): if the
  // database holds signatures made with other parameters, they cannot be compared with new ones,
  // so they are deleted and *dropped tells how many. Throws sdk::Error(ARCHIVUM_ERROR) with
  // SQLite's reason on failure.
  static std::unique_ptr<SignatureStore> Open(const std::string& file, std::string_view params,
                                              size_t* dropped);
  ~SignatureStore();
  SignatureStore(const SignatureStore&) = delete;
  SignatureStore& operator=(const SignatureStore&) = delete;

  // Writes at most this many signatures per transaction, and keeps a transaction open at most
  // this long.
  static constexpr size_t kBatchWrites = 512;
  static constexpr std::chrono::milliseconds kBatchDelay{200};

  // Inserts or replaces the signature of `path` (in the open batch). Throws
  // sdk::Error(ARCHIVUM_ERROR) if SQLite fails, or if committing an earlier batch in the
  // background failed (that batch is then lost; the message says so).
  void Put(std::string_view path, const Signature& signature);
  // Deletes `path`'s signature if there is one (in the open batch). Throws like Put().
  void Remove(std::string_view path);
  // Commits the open batch, if any. Throws sdk::Error(ARCHIVUM_ERROR) if that fails, or if any
  // batch failed to commit (and was lost) since the previous Flush(): then the files written
  // since that Flush() must be analyzed again. The lost batch may also hold writes for files
  // the host catalogs after a later, successful Flush(); the host analyzes those again too (it
  // treats every file whose analysis began before a failed flush ended as affected).
  void Flush();
  // Blocks until no batch is open: the background committer (or a full batch) has committed
  // it. Returns at once if none is open. Does not commit anything itself (unlike Flush()).
  void WaitUntilCommitted();
  // The signature of `path`, or std::nullopt.
  std::optional<Signature> Get(std::string_view path);
  // Calls `visit` for every stored signature, holding the lock: `visit` must be quick and must
  // not call back into the store. Rows whose blob is not a valid signature are skipped.
  void ForEach(const std::function<void(std::string_view path, const Signature&)>& visit);
  // Number of stored signatures.
  size_t Count();

 private:
  explicit SignatureStore(sqlite3* db) : db_(db) {}

  // Prepares the cached statements and starts the committer thread (after Open's set-up).
  void Start();
  // Begins a batch if none is open and throws a pending background failure. Requires mu_.
  void BeginWriteLocked();
  // Counts one write and commits when the batch is full. Requires mu_.
  void EndWriteLocked();
  // Commits the open batch; on failure rolls it back and throws. Requires mu_.
  void CommitLocked();
  // The committer thread: commits a batch kBatchDelay after it began.
  void CommitLoop();

  std::mutex mu_;
  std::condition_variable cv_;         // wakes the committer: a batch began, or stopping
  std::condition_variable committed_;  // a batch was committed (or rolled back)
  sqlite3* db_;                        // GUARDED_BY(mu_); owned, closed in the destructor
  sqlite3_stmt* put_ = nullptr;        // GUARDED_BY(mu_); owned
  sqlite3_stmt* remove_ = nullptr;     // GUARDED_BY(mu_); owned
  sqlite3_stmt* get_ = nullptr;        // GUARDED_BY(mu_); owned
  bool in_batch_ = false;              // GUARDED_BY(mu_)
  size_t batch_writes_ = 0;            // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point batch_began_;  // GUARDED_BY(mu_)
  std::string background_error_;                       // GUARDED_BY(mu_): a failed batch
  std::string lost_since_flush_;  // GUARDED_BY(mu_): a batch lost since the last Flush()
  bool stopping_ = false;         // GUARDED_BY(mu_)
  std::thread committer_;
};

}  // namespace archivum::bundled::similar
