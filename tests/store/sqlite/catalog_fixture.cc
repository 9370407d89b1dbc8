#include "catalog_fixture.h"

#include <chrono>
#include <functional>

#include "common/ascii.h"
#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "store/sqlite/metadata_text.h"
#include "store/sqlite/tokenizer.h"

namespace archivum::store::sqlite {
namespace {

using query::Parse;
using query::ParseOptions;

std::string SqliteMessage(sqlite3* db, std::string_view what) {
  return std::string(what) + ": " + sqlite3_errmsg(db);
}

}  // namespace

int64_t DayNs(int year, unsigned month, unsigned day, int64_t seconds) {
  using namespace std::chrono;
  const sys_days d{
      year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}}};
  return (static_cast<int64_t>(d.time_since_epoch().count()) * 86400 + seconds) * 1'000'000'000;
}

QueryCatalog::QueryCatalog() {
  auto catalog = OpenSqliteCatalog(dir_.path() / "store");
  if (!catalog.ok()) {
    error_ = catalog.status().ToString();
    return;
  }
  catalog_ = std::move(*catalog);
  if (sqlite3_open((dir_.path() / "store" / "catalog.db").c_str(), &db_) != SQLITE_OK) {
    error_ = SqliteMessage(db_, "open");
    return;
  }
  if (Status st = RegisterTokenizer(db_); !st.ok()) error_ = st.ToString();
}

QueryCatalog::~QueryCatalog() {
  sqlite3_close(db_);
}

std::string QueryCatalog::Exec(const std::string& sql, const std::vector<SqlValue>& params,
                               const std::function<void(sqlite3_stmt*)>& row) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return SqliteMessage(db_, "prepare " + sql);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      sqlite3_bind_int64(stmt, index, *n);
    } else {
      const auto& s = std::get<std::string>(params[i]);
      sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
  }
  if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
    sqlite3_finalize(stmt);
    return "parameter count mismatch for " + sql;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (row) row(stmt);
  }
  std::string error = rc == SQLITE_DONE ? "" : SqliteMessage(db_, "step " + sql);
  sqlite3_finalize(stmt);
  return error;
}

std::string QueryCatalog::Insert(const std::vector<CorpusDoc>& docs,
                                 const std::vector<CorpusFinding>& findings) {
  for (size_t i = 0; i < docs.size(); ++i) {
    const CorpusDoc& d = docs[i];
    const auto id = static_cast<int64_t>(i + 1);
    const size_t slash = d.path.rfind('/');
    const std::string name = d.path.substr(slash + 1);
    const std::string parent = slash == 0 ? "/" : d.path.substr(0, slash);
    const size_t dot = name.rfind('.');
    const std::string ext =
        dot == std::string::npos ? "" : AsciiLower(std::string_view(name).substr(dot + 1));
    std::string err = Exec(
        "INSERT INTO documents(id, path, size, mtime_ns, ingested_at_ns, parent, name, ext, "
        "sha256, mime) VALUES(?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9)",
        {id, d.path, d.size, d.mtime_ns, parent, name, ext, d.sha256, d.mime}, nullptr);
    if (!err.empty()) return err;
    if (d.body) {
      err = Exec("INSERT INTO texts(rowid, path, body) VALUES(?1, ?2, ?3)", {id, d.path, *d.body},
                 nullptr);
      if (!err.empty()) return err;
    }
  }
  for (const CorpusFinding& f : findings) {
    std::string err = Exec(
        "INSERT INTO findings(document_id, plugin, key, value) "
        "SELECT id, ?2, ?3, ?4 FROM documents WHERE path = ?1",
        {f.path, f.plugin, f.key, f.value}, nullptr);
    if (!err.empty()) return err;
  }
  // The metadata words of every document, as the catalog's writer keeps them (metadata_text.h).
  std::string columns;
  std::string values;
  std::string keys;
  for (std::string_view column : kMetadataColumnNames) {
    std::string column_keys;
    for (const MetadataColumn& c : kMetadataColumns) {
      if (c.column != column) continue;
      column_keys += std::string(column_keys.empty() ? "'" : ", '") + std::string(c.key) + "'";
    }
    columns += ", \"" + std::string(column) + "\"";
    values += ", group_concat(CASE WHEN key IN (" + column_keys + ") THEN value END, char(30))";
    keys += std::string(keys.empty() ? "" : ", ") + column_keys;
  }
  std::string err = Exec("DELETE FROM metadata_text", {}, nullptr);
  if (!err.empty()) return err;
  return Exec("INSERT INTO metadata_text(rowid" + columns + ") SELECT document_id" + values +
                  " FROM findings WHERE key IN (" + keys + ") GROUP BY document_id",
              {}, nullptr);
}

QueryRows QueryCatalog::Run(std::string_view query, int64_t limit, int64_t offset) {
  ParseOptions options;
  options.verbs = {"similar"};
  auto parsed = Parse(query, options);
  QueryRows rows;
  if (!parsed.ok()) {
    rows.error = parsed.status().ToString();
    return rows;
  }
  auto compiled = Compile(*parsed, limit, offset);
  if (!compiled.ok()) {
    rows.error = compiled.status().ToString();
    return rows;
  }
  return Execute(*compiled);
}

QueryRows QueryCatalog::Execute(const CompiledQuery& compiled) {
  QueryRows rows;
  rows.ranked = compiled.ranked;
  rows.error = Exec(compiled.sql, compiled.params, [&](sqlite3_stmt* stmt) {
    rows.paths.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
    rows.scores.push_back(sqlite3_column_double(stmt, 5));
    rows.snippets.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 6)));
  });
  if (!rows.error.empty()) return rows;
  const auto count_params = compiled.count_params();
  rows.error = Exec(compiled.count_sql, {count_params.begin(), count_params.end()},
                    [&](sqlite3_stmt* stmt) { rows.total = sqlite3_column_int64(stmt, 0); });
  return rows;
}

}  // namespace archivum::store::sqlite
