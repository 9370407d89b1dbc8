// Reading a store's catalog file directly in tests, beside the catalog: what the schema holds
// (indexes, columns, plans) rather than what the Catalog interface answers.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "store/sqlite/tokenizer.h"

namespace archivum::store::sqlite {

// Runs `sql` on <dir>/catalog.db, opened read-only with the tokenizer its text index needs; the
// first column of every row, joined by ","; NULL as "NULL". Empty if it cannot be opened.
inline std::string CatalogColumn0(const std::filesystem::path& dir, const char* sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2((dir / "catalog.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK &&
      RegisterTokenizer(db).ok()) {
    sqlite3_exec(
        db, sql,
        [](void* acc, int, char** values, char**) {
          auto* s = static_cast<std::string*>(acc);
          if (!s->empty()) *s += ",";
          *s += values[0] ? values[0] : "NULL";
          return 0;
        },
        &out, nullptr);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace archivum::store::sqlite
