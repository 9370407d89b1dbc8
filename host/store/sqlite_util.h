// Small RAII helpers over the SQLite C API, private to the store.
//
// Thread safety: a Statement belongs to one connection and one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::store {

// "what: sqlite message (code N)" as an INTERNAL status (or BUSY → UNAVAILABLE).
Status SqliteError(sqlite3* db, std::string_view what);

// Runs one or more statements that return no rows.
Status Exec(sqlite3* db, const char* sql);

// Opens a connection with the pragmas every connection of the catalog uses.
StatusOr<sqlite3*> OpenConnection(const std::string& file, bool create);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Whether prepare succeeded; status() says why not.
  bool ok() const { return stmt_ != nullptr; }
  const Status& status() const { return status_; }

  // Binders use 1-based indexes, as SQLite does. Text is copied (SQLITE_TRANSIENT).
  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);

  // Advances: true while a row is available; false when done or on error (see status()).
  bool Step();
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  double Double(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

}  // namespace archivum::store
