// Small RAII helpers over the SQLite C API, private to the store.
//
// Thread safety: a Connection and its Statements belong to one thread at a time (the catalog
// lends a connection to one caller at a time).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

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

// Statements a catalog connection keeps prepared; past this (query shapes are user-controlled)
// its cache is emptied between uses (a reader returned to the pool, the writer after a commit).
inline constexpr size_t kMaxCachedStatements = 64;

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
  // Named apart so that an int argument never becomes ambiguous between int64_t and double.
  void BindDouble(int index, double value);
  // Binds `text` without a copy (SQLITE_STATIC). Contract: the bytes must stay valid and
  // unchanged until the binding is replaced or cleared, i.e. until Reset() or the destruction of
  // this Statement (both clear the bindings), not only until Step() returns. For large values
  // (document texts) Bind's copy is worth avoiding; never pass a temporary.
  void BindStatic(int index, std::string_view text);
  // Binds `bytes` as a BLOB without a copy; the same contract as BindStatic.
  void BindStaticBlob(int index, std::string_view bytes);

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

// A value for a statement parameter: an integer, a text or a real.
using SqlValue = std::variant<int64_t, std::string, double>;

// Binds `params` to ?1..?n, in order.
inline void BindAll(Statement& st, std::span<const SqlValue> params) {
  int i = 1;
  for (const auto& v : params) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      st.Bind(i++, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      st.BindDouble(i++, *d);
    } else {
      st.Bind(i++, std::get<std::string>(v));
    }
  }
}

// A read transaction ended on scope exit (statements must be reset before, so declare it
// first); nothing when the connection is already inside one. BEGIN and COMMIT are the
// connection's cached statements: sqlite3_exec would parse them again on every call. A COMMIT
// that fails leaves the transaction open; ReaderPool::Release rolls it back.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& conn)
      : conn_(conn), owned_(sqlite3_get_autocommit(conn.db()) != 0) {
    if (owned_) status_ = Run("BEGIN");
  }
  ~ReadTransaction() {
    if (owned_ && status_.ok()) (void)Run("COMMIT");
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  const Status& status() const { return status_; }

 private:
  Status Run(std::string_view sql) {
    Statement st(conn_, sql);
    if (st.ok()) st.Step();
    return st.status();
  }

  Connection& conn_;
  bool owned_;
  Status status_;
};

}  // namespace archivum::store::sqlite
