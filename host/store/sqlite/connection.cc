#include "store/sqlite/connection.h"

#include <string>

namespace archivum::store::sqlite {

Status SqliteError(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : "out of memory";
  msg += " (sqlite code " + std::to_string(code) + ")";
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Unavailable(std::move(msg));
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_PERM || primary == SQLITE_READONLY) {
    return PermissionDenied(std::move(msg));
  }
  if (primary == SQLITE_FULL) return ResourceExhausted(std::move(msg));
  return Internal(std::move(msg));
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);  // the same text is available from sqlite3_errmsg
    return SqliteError(db, std::string("executing '") + sql + "'");
  }
  return Status::Ok();
}

StatusOr<sqlite3*> OpenConnection(const std::string& file, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status st = SqliteError(db, "opening catalog " + file);
    sqlite3_close(db);
    return st;
  }
  // Concurrent writers (another daemon on the same store) wait instead of failing at once.
  sqlite3_busy_timeout(db, 5000);
  // Takes effect only while the database is empty; a no-op for an existing one.
  if (create) {
    const std::string page_size = "PRAGMA page_size=" + std::to_string(kNewDatabasePageBytes);
    if (Status st = Exec(db, page_size.c_str()); !st.ok()) {
      sqlite3_close(db);
      return st;
    }
  }
  // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the
  // last transactions, never consistency.
  Status st = Exec(db,
                   "PRAGMA journal_mode=WAL;"
                   "PRAGMA synchronous=NORMAL;"
                   "PRAGMA foreign_keys=ON;"
                   "PRAGMA temp_store=MEMORY;");
  if (!st.ok()) {
    sqlite3_close(db);
    return st;
  }
  return db;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    status_ = SqliteError(db, "preparing statement");
    stmt_ = nullptr;
  }
}

Statement::Statement(Connection& conn, std::string_view sql) : db_(conn.db()), cached_(true) {
  stmt_ = conn.Prepare(sql);
  if (!stmt_) status_ = SqliteError(db_, "preparing statement");
}

Statement::~Statement() {
  if (cached_) {
    if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  } else {
    sqlite3_finalize(stmt_);
  }
}

std::string_view Statement::TextView(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* Connection::Prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  cache_.emplace(std::string(sql), stmt);
  return stmt;
}

void Connection::Trim(size_t max_entries) {
  if (cache_.size() <= max_entries) return;
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
}

void Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Statement::BindStatic(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::BindStaticBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void Statement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
}

bool Statement::Step() {
  if (!stmt_) return false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteError(db_, "executing statement");
  return false;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::Double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::Text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

}  // namespace archivum::store::sqlite
