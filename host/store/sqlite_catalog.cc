#include "store/sqlite_catalog.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <span>
#include <system_error>

#include "query/compiler.h"
#include "store/sqlite_util.h"

namespace archivum::store {
namespace {

// Each entry migrates from version (index) to version (index + 1).
constexpr const char* kMigrations[] = {
    // 0 → 1: documents keyed by path.
    "CREATE TABLE documents ("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL UNIQUE,"
    "  size INTEGER NOT NULL,"
    "  mtime_ns INTEGER NOT NULL,"
    "  ingested_at_ns INTEGER NOT NULL"
    ");",
    // 1 → 2: what the analyzer pipeline records: document metadata, plugin findings, and the
    // full-text index (rowid = documents.id; the path is indexed too so words match names).
    "ALTER TABLE documents ADD COLUMN parent TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE documents ADD COLUMN name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE documents ADD COLUMN ext TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE documents ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE documents ADD COLUMN mime TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE documents ADD COLUMN analyzers TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE documents ADD COLUMN signature TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX documents_sha256 ON documents(sha256) WHERE sha256 != '';"
    "CREATE INDEX documents_parent ON documents(parent) WHERE parent != '';"
    "CREATE TABLE findings ("
    "  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    "  plugin TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL"
    ");"
    "CREATE INDEX findings_document ON findings(document_id);"
    "CREATE INDEX findings_lookup ON findings(plugin, key, value);"
    "CREATE VIRTUAL TABLE texts USING fts5(path, body, tokenize = 'unicode61 remove_diacritics 2');"
    "CREATE TRIGGER documents_delete_text AFTER DELETE ON documents BEGIN"
    "  DELETE FROM texts WHERE rowid = old.id;"
    "END;",
    // 2 → 3: sha256: lookups are "sha256 = ?", which a partial index on sha256 != '' cannot
    // serve (the planner cannot prove the bound value is non-empty): a plain index instead.
    "DROP INDEX documents_sha256;"
    "CREATE INDEX documents_sha256 ON documents(sha256);",
};
static_assert(std::size(kMigrations) == SqliteCatalog::kSchemaVersion);

Status Migrate(sqlite3* db, const std::string& file) {
  int64_t current = 0;
  {
    // Finalized before migrating: DDL such as DROP INDEX fails while a statement is active.
    Statement version(db, "PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (!version.Step()) return version.status();
    current = version.Int(0);
  }
  if (current > SqliteCatalog::kSchemaVersion) {
    return FailedPrecondition("catalog " + file + " has schema version " + std::to_string(current) +
                              ", newer than this build's " +
                              std::to_string(SqliteCatalog::kSchemaVersion) +
                              "; upgrade archivumd or use another store");
  }
  for (int64_t v = current; v < SqliteCatalog::kSchemaVersion; ++v) {
    ARCHIVUM_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
    Status st = Exec(db, kMigrations[v]);
    if (st.ok()) {
      st = Exec(db, ("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
    }
    if (!st.ok()) {
      (void)Exec(db, "ROLLBACK");
      return st;
    }
    ARCHIVUM_RETURN_IF_ERROR(Exec(db, "COMMIT"));
  }
  return Status::Ok();
}

// The columns ReadRecord expects, in order.
constexpr const char* kRecordColumns =
    "path, size, mtime_ns, ingested_at_ns, parent, name, ext, sha256, mime, analyzers, signature";
constexpr int kRecordColumnCount = 11;

DocumentRecord ReadRecord(const Statement& st) {
  DocumentRecord r;
  r.path = st.Text(0);
  r.size = static_cast<uint64_t>(st.Int(1));
  r.mtime_ns = st.Int(2);
  r.ingested_at_ns = st.Int(3);
  r.parent = st.Text(4);
  r.name = st.Text(5);
  r.ext = st.Text(6);
  r.sha256 = st.Text(7);
  r.mime = st.Text(8);
  r.analyzers = st.Text(9);
  r.signature = st.Text(10);
  return r;
}

}  // namespace

class SqliteCatalog::ReadLease {
 public:
  explicit ReadLease(SqliteCatalog* catalog) : catalog_(catalog) {
    auto db = catalog_->AcquireReader();
    if (db.ok()) {
      db_ = *db;
    } else {
      status_ = db.status();
    }
  }
  ~ReadLease() {
    if (db_) catalog_->ReleaseReader(db_);
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  sqlite3* db() const { return db_; }
  const Status& status() const { return status_; }

 private:
  SqliteCatalog* catalog_;
  sqlite3* db_ = nullptr;
  Status status_;
};

StatusOr<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return PermissionDenied("cannot create store directory " + dir.string() + ": " + ec.message());
  }
  std::unique_ptr<SqliteCatalog> catalog(new SqliteCatalog(dir / "catalog.db"));
  auto writer = OpenConnection(catalog->file_.string(), /*create=*/true);
  if (!writer.ok()) return writer.status();
  catalog->writer_ = *writer;
  ARCHIVUM_RETURN_IF_ERROR(Migrate(catalog->writer_, catalog->file_.string()));
  return catalog;
}

SqliteCatalog::~SqliteCatalog() {
  for (sqlite3* db : idle_readers_) sqlite3_close(db);
  sqlite3_close(writer_);
}

StatusOr<sqlite3*> SqliteCatalog::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      sqlite3* db = idle_readers_.back();
      idle_readers_.pop_back();
      return db;
    }
  }
  return OpenConnection(file_.string(), /*create=*/false);
}

void SqliteCatalog::ReleaseReader(sqlite3* db) {
  // Bounded so a burst of concurrent queries does not keep connections forever.
  constexpr size_t kMaxIdleReaders = 16;
  std::lock_guard lock(readers_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) {
    idle_readers_.push_back(db);
  } else {
    sqlite3_close(db);
  }
}

StatusOr<std::optional<DocumentRecord>> SqliteCatalog::Find(std::string_view path) {
  ReadLease lease(this);
  if (!lease.db()) return lease.status();
  Statement st(lease.db(),
               std::string("SELECT ") + kRecordColumns + " FROM documents WHERE path = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, path);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<DocumentRecord>();
  }
  return std::optional<DocumentRecord>(ReadRecord(st));
}

StatusOr<std::vector<DocumentRecord>> SqliteCatalog::ListUnder(std::string_view dir) {
  ReadLease lease(this);
  if (!lease.db()) return lease.status();
  // A range scan on the path index: everything starting with "dir/" sorts between "dir/" and
  // "dir0" ('0' follows '/' in ASCII).
  std::string base(dir);
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string lo = base == "/" ? "/" : base + "/";
  const std::string hi = base == "/" ? "0" : base + "0";
  Statement st(lease.db(), std::string("SELECT ") + kRecordColumns +
                               " FROM documents WHERE path = ?1 OR (path >= ?2 AND path < ?3) "
                               "ORDER BY path");
  if (!st.ok()) return st.status();
  st.Bind(1, base);
  st.Bind(2, lo);
  st.Bind(3, hi);
  std::vector<DocumentRecord> out;
  while (st.Step()) out.push_back(ReadRecord(st));
  if (!st.status().ok()) return st.status();
  return out;
}

Status SqliteCatalog::Commit(const std::vector<DocumentWrite>& writes,
                             const std::vector<std::string>& removals) {
  std::lock_guard lock(write_mu_);
  ARCHIVUM_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
  Status st = WriteLocked(writes, removals);
  if (st.ok()) st = Exec(writer_, "COMMIT");
  if (!st.ok()) {
    (void)Exec(writer_, "ROLLBACK");
    return st;
  }
  return Status::Ok();
}

Status SqliteCatalog::WriteLocked(const std::vector<DocumentWrite>& writes,
                                  const std::vector<std::string>& removals) {
  // Children sort between "parent!/" and "parent!0" ('0' follows '/').
  Statement drop_children(writer_, "DELETE FROM documents WHERE path >= ?1 AND path < ?2");
  Statement drop(writer_, "DELETE FROM documents WHERE path = ?1");
  for (Statement* s : {&drop_children, &drop}) {
    if (!s->ok()) return s->status();
  }
  auto remove_children = [&](const std::string& path) {
    drop_children.Bind(1, path + "!/");
    drop_children.Bind(2, path + "!0");
    drop_children.Step();
    drop_children.Reset();
    return drop_children.status();
  };
  for (const auto& p : removals) {
    ARCHIVUM_RETURN_IF_ERROR(remove_children(p));
    drop.Bind(1, p);
    drop.Step();
    ARCHIVUM_RETURN_IF_ERROR(drop.status());
    drop.Reset();
  }
  if (writes.empty()) return Status::Ok();

  Statement up(writer_,
               "INSERT INTO documents(path, size, mtime_ns, ingested_at_ns, parent, name, ext, "
               "sha256, mime, analyzers, signature) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
               "?10, ?11) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
               "mtime_ns = excluded.mtime_ns, ingested_at_ns = excluded.ingested_at_ns, "
               "parent = excluded.parent, name = excluded.name, ext = excluded.ext, "
               "sha256 = excluded.sha256, mime = excluded.mime, analyzers = excluded.analyzers, "
               "signature = excluded.signature RETURNING id");
  Statement clear_findings(writer_, "DELETE FROM findings WHERE document_id = ?1");
  Statement add_finding(
      writer_, "INSERT INTO findings(document_id, plugin, key, value) VALUES(?1,?2,?3,?4)");
  Statement clear_text(writer_, "DELETE FROM texts WHERE rowid = ?1");
  Statement add_text(writer_, "INSERT INTO texts(rowid, path, body) VALUES(?1, ?2, ?3)");
  for (Statement* s : {&up, &clear_findings, &add_finding, &clear_text, &add_text}) {
    if (!s->ok()) return s->status();
  }
  for (const auto& w : writes) {
    const DocumentRecord& d = w.document;
    // A document written anew replaces its old members; members in this batch follow it.
    if (d.parent.empty()) ARCHIVUM_RETURN_IF_ERROR(remove_children(d.path));
    up.Bind(1, d.path);
    up.Bind(2, static_cast<int64_t>(d.size));
    up.Bind(3, d.mtime_ns);
    up.Bind(4, d.ingested_at_ns);
    up.Bind(5, d.parent);
    up.Bind(6, d.name);
    up.Bind(7, d.ext);
    up.Bind(8, d.sha256);
    up.Bind(9, d.mime);
    up.Bind(10, d.analyzers);
    up.Bind(11, d.signature);
    if (!up.Step()) return up.status().ok() ? Internal("upsert returned no id") : up.status();
    const int64_t id = up.Int(0);
    up.Step();  // completes the statement
    ARCHIVUM_RETURN_IF_ERROR(up.status());
    up.Reset();

    clear_findings.Bind(1, id);
    clear_findings.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_findings.status());
    clear_findings.Reset();
    for (const auto& f : w.findings) {
      add_finding.Bind(1, id);
      add_finding.Bind(2, f.plugin);
      add_finding.Bind(3, f.key);
      add_finding.Bind(4, f.value);
      add_finding.Step();
      ARCHIVUM_RETURN_IF_ERROR(add_finding.status());
      add_finding.Reset();
    }
    clear_text.Bind(1, id);
    clear_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_text.status());
    clear_text.Reset();
    add_text.Bind(1, id);
    add_text.Bind(2, d.path);
    add_text.Bind(3, w.text);
    add_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(add_text.status());
    add_text.Reset();
  }
  return Status::Ok();
}

StatusOr<std::optional<DocumentDetail>> SqliteCatalog::Get(std::string_view path) {
  ReadLease lease(this);
  if (!lease.db()) return lease.status();
  Statement st(lease.db(),
               std::string("SELECT ") + kRecordColumns + ", id FROM documents WHERE path = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, path);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<DocumentDetail>();
  }
  DocumentDetail detail;
  detail.document = ReadRecord(st);
  const int64_t id = st.Int(kRecordColumnCount);
  Statement fs(lease.db(),
               "SELECT plugin, key, value FROM findings WHERE document_id = ?1 ORDER BY rowid");
  if (!fs.ok()) return fs.status();
  fs.Bind(1, id);
  while (fs.Step()) detail.findings.push_back({fs.Text(0), fs.Text(1), fs.Text(2)});
  if (!fs.status().ok()) return fs.status();
  return std::optional<DocumentDetail>(std::move(detail));
}

StatusOr<SearchResult> SqliteCatalog::Search(const query::Query& q, uint32_t limit,
                                             uint32_t offset) {
  auto compiled = query::Compile(q, limit, offset);
  if (!compiled.ok()) return compiled.status();
  SearchResult result;
  if (!compiled->has_catalog_terms) return result;
  ReadLease lease(this);
  if (!lease.db()) return lease.status();

  auto bind_all = [](Statement& st, std::span<const query::SqlValue> params) {
    int i = 1;
    for (const auto& v : params) {
      if (const auto* n = std::get_if<int64_t>(&v)) {
        st.Bind(i++, *n);
      } else {
        st.Bind(i++, std::get<std::string>(v));
      }
    }
  };
  // Columns: d.id, d.path, d.size, d.mtime_ns, d.mime, score, snippet.
  Statement st(lease.db(), compiled->sql);
  if (!st.ok()) return st.status();
  bind_all(st, compiled->params);
  std::vector<int64_t> ids;
  while (st.Step()) {
    SearchHit h;
    ids.push_back(st.Int(0));
    h.document.path = st.Text(1);
    h.document.size = static_cast<uint64_t>(st.Int(2));
    h.document.mtime_ns = st.Int(3);
    h.document.mime = st.Text(4);
    h.score = st.Double(5);
    h.snippet = st.Text(6);
    result.hits.push_back(std::move(h));
  }
  if (!st.status().ok()) return st.status();

  // A first page that is not full is the whole answer: counting again would be wasted work.
  if (offset == 0 && result.hits.size() < limit) {
    result.total = result.hits.size();
  } else {
    Statement count(lease.db(), compiled->count_sql);
    if (!count.ok()) return count.status();
    bind_all(count, compiled->count_params());
    if (count.Step()) result.total = static_cast<uint64_t>(count.Int(0));
    if (!count.status().ok()) return count.status();
  }

  // The findings the query's plugin filters asked about, so a client sees why a hit matched.
  std::vector<std::pair<std::string, std::string>> keys;
  std::function<void(const query::Node&)> collect = [&](const query::Node& n) {
    if (n.kind == query::NodeKind::kTerm) {
      if (const auto* f = std::get_if<query::FindingFilter>(&n.term)) {
        keys.emplace_back(f->plugin, f->key);
      }
    }
    for (const auto& c : n.children) collect(c);
  };
  collect(*q.where);
  if (keys.empty() || ids.empty()) return result;
  Statement fs(lease.db(),
               "SELECT plugin, key, value FROM findings WHERE document_id = ?1 AND plugin = ?2 "
               "AND key = ?3 ORDER BY rowid");
  if (!fs.ok()) return fs.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    for (const auto& [plugin, key] : keys) {
      fs.Bind(1, ids[i]);
      fs.Bind(2, plugin);
      fs.Bind(3, key);
      while (fs.Step()) result.hits[i].findings.push_back({fs.Text(0), fs.Text(1), fs.Text(2)});
      if (!fs.status().ok()) return fs.status();
      fs.Reset();
    }
  }
  return result;
}

}  // namespace archivum::store
