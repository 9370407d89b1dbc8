// A real catalog database for compiler tests: the schema comes from opening the SQLite catalog
// (so the tests follow its migrations), the corpus is inserted with plain SQL on a second
// connection, and compiled queries run on that connection exactly as the catalog runs them.
//
// Thread safety: one test thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/catalog.h"
#include "store/sqlite/query_compiler.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {

struct CorpusDoc {
  std::string path;  // name, parent and ext are derived from it as the ingester does
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string mime;
  std::string sha256;
  std::optional<std::string> body;  // nullopt: no row in texts (nothing was extracted)
};

struct CorpusFinding {
  std::string path;
  std::string plugin;
  std::string key;
  std::string value;
};

// What a query returned, in order; error is set (and the rest empty) when it failed.
struct QueryRows {
  std::vector<std::string> paths;
  std::vector<double> scores;
  std::vector<std::string> snippets;
  int64_t total = -1;  // from count_sql
  bool ranked = false;
  std::string error;
};

class QueryCatalog {
 public:
  // Creates the catalog in a fresh temporary directory; ok() says whether that worked.
  QueryCatalog();
  ~QueryCatalog();
  QueryCatalog(const QueryCatalog&) = delete;
  QueryCatalog& operator=(const QueryCatalog&) = delete;

  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  // Inserts documents (ids 1..n in order), their texts and findings. Returns "" or the error.
  std::string Insert(const std::vector<CorpusDoc>& docs,
                     const std::vector<CorpusFinding>& findings);

  // Parses (verbs: "similar") and compiles `query`, then runs sql and count_sql.
  QueryRows Run(std::string_view query, int64_t limit = 100, int64_t offset = 0);
  // Runs an already compiled query.
  QueryRows Execute(const CompiledQuery& compiled);

 private:
  std::string Exec(const std::string& sql, const std::vector<SqlValue>& params,
                   const std::function<void(sqlite3_stmt*)>& row);

  testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  sqlite3* db_ = nullptr;
  std::string error_;
};

// 2024-01-15 etc. as nanoseconds since the epoch (UTC), plus `seconds`.
int64_t DayNs(int year, unsigned month, unsigned day, int64_t seconds = 0);

}  // namespace archivum::store::sqlite
