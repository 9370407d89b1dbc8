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
  return store;
}

SignatureStore::~SignatureStore() {
  sqlite3_close_v2(db_);
}

void SignatureStore::Put(std::string_view path, const Signature& signature) {
  std::lock_guard lock(mu_);
  Statement put(db_, "INSERT OR REPLACE INTO signatures(path, signature) VALUES(?1, ?2)");
  put.Bind(1, path).BindBlob(2, Encode(signature)).Step();
}

void SignatureStore::Remove(std::string_view path) {
  std::lock_guard lock(mu_);
  Statement remove(db_, "DELETE FROM signatures WHERE path = ?1");
  remove.Bind(1, path).Step();
}

std::optional<Signature> SignatureStore::Get(std::string_view path) {
  std::lock_guard lock(mu_);
  Statement get(db_, "SELECT signature FROM signatures WHERE path = ?1");
  if (!get.Bind(1, path).Step()) return std::nullopt;
  return Decode(get.Blob(0));
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
