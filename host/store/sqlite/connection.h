// Small RAII helpers over the SQLite C API, private to the store.
//
// Thread safety: a Connection and its Statements belong to one thread at a time (the catalog
// lends a connection to one caller at a time).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace archivum::store::sqlite {

// "what: sqlite message (code N)" as an INTERNAL status (or BUSY → UNAVAILABLE).
Status SqliteError(sqlite3* db, std::string_view what);

// Runs one or more statements that return no rows.
Status Exec(sqlite3* db, const char* sql);

// Page size of databases created by OpenConnection (SQLite's default is 4096). Larger pages
// mean fewer b-tree pages and page writes per committed batch; an existing database keeps the
// page size it was created with.
inline constexpr int kNewDatabasePageBytes = 16 << 10;

// Opens a connection with the pragmas every connection of the catalog uses. With `create`, a
// database that is still empty gets kNewDatabasePageBytes pages before it enters WAL mode (after
// which its page size can no longer change).
StatusOr<sqlite3*> OpenConnection(const std::string& file, bool create);

// A connection with a cache of prepared statements keyed by their SQL text, so that statements
// run again and again (lookups, searches of the same shape) are prepared once per connection.
// Owns the sqlite3 handle and closes it (after finalizing the cached statements).
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  // The cached statement for `sql`, preparing it (SQLITE_PREPARE_PERSISTENT) on first use; null
  // on a prepare error (sqlite3_errmsg says why). The statement stays owned by the cache.
  sqlite3_stmt* Prepare(std::string_view sql);

  // Finalizes every cached statement when more than `max_entries` are cached. Call only while
  // no statement of this connection is in use (the cache is bounded because query shapes are
  // user-controlled).
  void Trim(size_t max_entries);

  size_t cached_statements() const { return cache_.size(); }

 private:
  // Hashes std::string and std::string_view alike, so that lookups need no key copy.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const noexcept {
      return std::hash<std::string_view>{}(sql);
    }
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

class Statement {
 public:
  // A one-off statement, prepared now and finalized on destruction.
  Statement(sqlite3* db, std::string_view sql);
  // A statement borrowed from `conn`'s cache; reset and unbound on destruction.
  Statement(Connection& conn, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Whether prepare succeeded; status() says why not.
  bool ok() const { return stmt_ != nullptr; }
  const Status& status() const { return status_; }

  // Binders use 1-based indexes, as SQLite does. Text is copied (SQLITE_TRANSIENT).
  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  // Binds `text` without a copy (SQLITE_STATIC). Contract: the bytes must stay valid and
  // unchanged until the binding is replaced or cleared, i.e. until Reset() or the destruction of
  // this Statement (both clear the bindings), not only until Step() returns. For large values
  // (document texts) the copy Bind makes is measurable; never pass a temporary.
  void BindStatic(int index, std::string_view text);

  // Advances: true while a row is available; false when done or on error (see status()).
  bool Step();
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  double Double(int column) const;
  // The column's bytes without a copy, valid until the next Step or Reset.
  std::string_view TextView(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_ = false;
  Status status_;
};

}  // namespace archivum::store::sqlite
