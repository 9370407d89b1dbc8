#include "similar/signature_store.h"

#include <cstdint>
#include <utility>

#include "archivum/plugin.hpp"
#include "common/utf8.h"

namespace archivum::bundled::similar {
namespace {

[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  std::string message = "signature store: " + std::string(what) + ": " +
                        (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
  throw sdk::Error(ARCHIVUM_ERROR, SanitizeUtf8(message));
}

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(db, sql);
}

// A prepared statement, finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      Fail(db, "preparing '" + std::string(sql) + "'");
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::string_view text) {
    Check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Statement& BindBlob(int index, const std::string& blob) {
    Check(sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  // True while a row is available; throws on error.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) Fail(db_, "executing statement");
    return false;
  }
  std::string_view Text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data == nullptr ? std::string_view()
                           : std::string_view(data, sqlite3_column_bytes(stmt_, column));
  }
  int64_t Int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string_view Blob(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return data == nullptr ? std::string_view()
                           : std::string_view(data, sqlite3_column_bytes(stmt_, column));
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail(db_, "binding a parameter");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Prepares a statement kept for the store's lifetime.
sqlite3_stmt* Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    Fail(db, "preparing '" + std::string(sql) + "'");
  }
  return stmt;
}

// Resets a cached statement when it goes out of scope, so it never stays active (an active
// statement would block COMMIT) and its bindings do not outlive the call.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

void BindText(sqlite3* db, sqlite3_stmt* stmt, int index, std::string_view text) {
  // A null pointer would bind SQL NULL; an empty string_view may have one.
  const char* data = text.data() != nullptr ? text.data() : "";
  if (sqlite3_bind_text(stmt, index, data, static_cast<int>(text.size()), SQLITE_STATIC) !=
      SQLITE_OK) {
    Fail(db, "binding a parameter");
  }
}

std::string Encode(const Signature& signature) {
  std::string blob;
  blob.reserve(signature.size() * 8);
  for (uint64_t value : signature) {
    for (int k = 0; k < 8; ++k) blob.push_back(static_cast<char>((value >> (8 * k)) & 0xFF));
  }
  return blob;
}

std::optional<Signature> Decode(std::string_view blob) {
  if (blob.empty() || blob.size() % 8 != 0) return std::nullopt;
  Signature signature(blob.size() / 8);
  for (size_t i = 0; i < signature.size(); ++i) {
    uint64_t value = 0;
    for (int k = 0; k < 8; ++k) {
      value |= static_cast<uint64_t>(static_cast<unsigned char>(blob[i * 8 + k])) << (8 * k);
    }
    signature[i] = value;
  }
  return signature;
}

}  // namespace

std::unique_ptr<SignatureStore> SignatureStore::Open(const std::string& file,
                                                     std::string_view params, size_t* dropped) {
  if (dropped != nullptr) *dropped = 0;
  const std::string name = file.empty() ? ":memory:" : file;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // From here the store owns the connection, so every failure below closes it.
  std::unique_ptr<SignatureStore> store(new SignatureStore(db));
  if (rc != SQLITE_OK) Fail(db, "opening " + name);
  sqlite3_busy_timeout(db, 5000);
  // WAL lets readers (another process inspecting the file) proceed during writes; NORMAL
  // synchronous is durable against application crashes, which is enough for a rebuildable index.
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  Exec(db,
       "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "CREATE TABLE IF NOT EXISTS signatures(path TEXT PRIMARY KEY, signature BLOB NOT NULL);");

  Exec(db, "BEGIN IMMEDIATE");
  try {
    Statement get(db, "SELECT value FROM meta WHERE key = 'params'");
    const std::optional<std::string> stored =
        get.Step() ? std::optional<std::string>(get.Text(0)) : std::nullopt;
    if (stored != params) {
      if (dropped != nullptr) {
        Statement count(db, "SELECT count(*) FROM signatures");
        if (count.Step()) *dropped = static_cast<size_t>(count.Int64(0));
      }
      Exec(db, "DELETE FROM signatures");
      Statement put(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('params', ?1)");
      put.Bind(1, params).Step();
    }
    Exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  store->Start();
  return store;
}

void SignatureStore::Start() {
  put_ = Prepare(db_, "INSERT OR REPLACE INTO signatures(path, signature) VALUES(?1, ?2)");
  remove_ = Prepare(db_, "DELETE FROM signatures WHERE path = ?1");
  get_ = Prepare(db_, "SELECT signature FROM signatures WHERE path = ?1");
  committer_ = std::thread([this] { CommitLoop(); });
}

SignatureStore::~SignatureStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  {
    std::lock_guard lock(mu_);
    if (in_batch_) {
      try {
        CommitLocked();
      } catch (const std::exception&) {
        // Nowhere to report it: the batch is lost, as after a crash, and the index stays
        // consistent (rolled back).
      }
    }
  }
  sqlite3_finalize(put_);
  sqlite3_finalize(remove_);
  sqlite3_finalize(get_);
  sqlite3_close_v2(db_);
}

void SignatureStore::BeginWriteLocked() {
  if (!background_error_.empty()) {
    const std::string message = std::move(background_error_);
    background_error_.clear();
    throw sdk::Error(ARCHIVUM_ERROR, message);
  }
  if (in_batch_) return;
  Exec(db_, "BEGIN IMMEDIATE");
  in_batch_ = true;
  batch_writes_ = 0;
  batch_began_ = std::chrono::steady_clock::now();
  cv_.notify_all();
}

void SignatureStore::EndWriteLocked() {
  if (++batch_writes_ >= kBatchWrites) CommitLocked();
}

void SignatureStore::WaitUntilCommitted() {
  std::unique_lock lock(mu_);
  committed_.wait(lock, [this] { return !in_batch_; });
}

void SignatureStore::CommitLocked() {
  in_batch_ = false;
  batch_writes_ = 0;
  committed_.notify_all();  // waiters re-check in_batch_ once mu_ is released
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return;
  const std::string why = sqlite3_errmsg(db_);
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  lost_since_flush_ = SanitizeUtf8(
      "signature store: committing a batch of signatures failed, re-ingest recently changed "
      "files: " +
      why);
  throw sdk::Error(ARCHIVUM_ERROR, lost_since_flush_);
}

void SignatureStore::CommitLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!in_batch_) {
      cv_.wait(lock);
      continue;
    }
    const auto due = batch_began_ + kBatchDelay;
    if (std::chrono::steady_clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    try {
      CommitLocked();
    } catch (const std::exception& e) {
      background_error_ = e.what();
    }
  }
}

void SignatureStore::Flush() {
  std::lock_guard lock(mu_);
  if (in_batch_) {
    try {
      CommitLocked();
    } catch (const sdk::Error&) {  // recorded in lost_since_flush_, reported below
    }
  }
  if (!lost_since_flush_.empty()) {
    const std::string message = std::move(lost_since_flush_);
    lost_since_flush_.clear();
    throw sdk::Error(ARCHIVUM_ERROR, message);
  }
}

void SignatureStore::Put(std::string_view path, const Signature& signature) {
  const std::string blob = Encode(signature);
  std::lock_guard lock(mu_);
  BeginWriteLocked();
  {
    ResetOnExit reset(put_);
    BindText(db_, put_, 1, path);
    if (sqlite3_bind_blob(put_, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC) !=
        SQLITE_OK) {
      Fail(db_, "binding a parameter");
    }
    if (sqlite3_step(put_) != SQLITE_DONE) {
      // Some errors roll the whole transaction back; keep the batch state in step with SQLite.
      if (sqlite3_get_autocommit(db_) != 0) in_batch_ = false;
      Fail(db_, "storing a signature");
    }
  }
  EndWriteLocked();
}

void SignatureStore::Remove(std::string_view path) {
  std::lock_guard lock(mu_);
  BeginWriteLocked();
  {
    ResetOnExit reset(remove_);
    BindText(db_, remove_, 1, path);
    if (sqlite3_step(remove_) != SQLITE_DONE) {
      if (sqlite3_get_autocommit(db_) != 0) in_batch_ = false;
      Fail(db_, "removing a signature");
    }
  }
  EndWriteLocked();
}

std::optional<Signature> SignatureStore::Get(std::string_view path) {
  std::lock_guard lock(mu_);
  ResetOnExit reset(get_);
  BindText(db_, get_, 1, path);
  const int rc = sqlite3_step(get_);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) Fail(db_, "reading a signature");
  const auto* data = static_cast<const char*>(sqlite3_column_blob(get_, 0));
  if (data == nullptr) return std::nullopt;
  return Decode(std::string_view(data, static_cast<size_t>(sqlite3_column_bytes(get_, 0))));
}

void SignatureStore::ForEach(
    const std::function<void(std::string_view path, const Signature&)>& visit) {
  std::lock_guard lock(mu_);
  Statement all(db_, "SELECT path, signature FROM signatures");
  while (all.Step()) {
    const std::optional<Signature> signature = Decode(all.Blob(1));
    if (signature) visit(all.Text(0), *signature);
  }
}

size_t SignatureStore::Count() {
  std::lock_guard lock(mu_);
  Statement count(db_, "SELECT count(*) FROM signatures");
  return count.Step() ? static_cast<size_t>(count.Int64(0)) : 0;
}

}  // namespace archivum::bundled::similar
