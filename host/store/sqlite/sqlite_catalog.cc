#include "store/sqlite/sqlite_catalog.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <span>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "store/sqlite/connection.h"
#include "store/sqlite/query_compiler.h"
#include "store/sqlite/wal_checkpointer.h"

namespace archivum::store::sqlite {
namespace {

// Each entry migrates from version (index) to version (index + 1).
constexpr const char* kMigrations[] = {
    // 0 → 1: documents keyed by path.
    ("CREATE TABLE documents ("
     "  id INTEGER PRIMARY KEY,"
     "  path TEXT NOT NULL UNIQUE,"
     "  size INTEGER NOT NULL,"
     "  mtime_ns INTEGER NOT NULL,"
     "  ingested_at_ns INTEGER NOT NULL"
     ");"),
    // 1 → 2: what the analyzer pipeline records: document metadata, plugin findings, and the
    // full-text index (rowid = documents.id; the path is indexed too so words match names).
    ("ALTER TABLE documents ADD COLUMN parent TEXT NOT NULL DEFAULT '';"
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
     "CREATE VIRTUAL TABLE texts USING fts5(path, body, tokenize = 'unicode61 remove_diacritics "
     "2');"
     "CREATE TRIGGER documents_delete_text AFTER DELETE ON documents BEGIN"
     "  DELETE FROM texts WHERE rowid = old.id;"
     "END;"),
    // 2 → 3: sha256: lookups are "sha256 = ?", which a partial index on sha256 != '' cannot
    // serve (the planner cannot prove the bound value is non-empty): a plain index instead.
    ("DROP INDEX documents_sha256;"
     "CREATE INDEX documents_sha256 ON documents(sha256);"),
    // 3 → 4: ext: filters are equality tests whose results are listed by path; (ext, path)
    // serves both, so "ext:h" reads its first page and counts from the index instead of
    // scanning every document in path order.
    ("CREATE INDEX documents_ext ON documents(ext, path);"
     // Bumped by every commit, so a process can tell whether the token counts it keeps in
     // memory for ranking still describe the database (another process may write the store).
     "CREATE TABLE catalog_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
     "INSERT INTO catalog_state VALUES ('text_generation', 0);"),
    // 4 → 5: covering indexes for the cheap lookups. A page of "path:DIR" or "sha256:HEX" hits
    // needs (id, path, size, mtime_ns, mime); with these it is read from the index alone, with
    // no table lookup per hit. Measured on the /usr/include bench store: in-process cheap
    // lookups 11.1 -> 9.7 us mean, daemon CPU per cheap HTTP request ~36 -> ~30 us; the cost is
    // 1.1% more file and ~6 us more commit CPU per document (~170 us). The UNIQUE path index
    // stays beside documents_path_page: it is narrower, so range counts stay cheaper there.
    ("DROP INDEX documents_sha256;"
     "CREATE INDEX documents_sha256 ON documents(sha256, path, size, mtime_ns, mime);"
     "CREATE INDEX documents_path_page ON documents(path, size, mtime_ns, mime);"),
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

// Statements a connection keeps prepared; past this (query shapes are user-controlled) its
// cache is emptied when the connection is returned to the pool.
constexpr size_t kMaxCachedStatements = 64;
// Ties at the page boundary whose order is settled by path; more than this (a flood of
// identical scores) are ordered by rowid, which follows ingestion order.
constexpr size_t kMaxTiesByPath = 4096;
// Row ids past this are not kept in the in-memory token counts (ranking looks them up instead).
constexpr int64_t kMaxLengthRowid = int64_t{1} << 26;

namespace {

// Totals of unranked searches as one read connection last counted them, valid for one data
// version of the database (SQLITE_FCNTL_DATA_VERSION: it changes whenever the database changes,
// through any connection or process, as the connection sees it at the start of a read
// transaction). A page that is not the whole answer needs its total, and counting visits every
// match (a large directory: thousands of index entries); the same search again (the next page,
// a repeated query) reads it here. Used by the connection's thread only.
class CountCache {
 public:
  // Past this many totals the cache starts over; longer keys are not kept (keys are
  // user-controlled: at most kMaxEntries * kMaxKeyBytes per connection).
  static constexpr size_t kMaxEntries = 256;
  static constexpr size_t kMaxKeyBytes = 1024;

  // The total recorded for `key` at `version`, or null.
  const uint64_t* Find(uint32_t version, const std::string& key) const {
    if (version != version_) return nullptr;
    auto it = totals_.find(key);
    return it == totals_.end() ? nullptr : &it->second;
  }
  void Insert(uint32_t version, std::string key, uint64_t total) {
    if (key.size() > kMaxKeyBytes) return;
    if (version != version_ || totals_.size() >= kMaxEntries) {
      totals_.clear();
      version_ = version;
    }
    totals_.emplace(std::move(key), total);
  }

 private:
  uint32_t version_ = 0;
  std::unordered_map<std::string, uint64_t> totals_;
};

}  // namespace

struct SqliteCatalog::Reader {
  explicit Reader(sqlite3* db) : conn(db) {}
  Connection conn;
  FtsFunctionContext fts;
  CountCache counts;
};

class SqliteCatalog::ReadLease {
 public:
  explicit ReadLease(SqliteCatalog* catalog) : catalog_(catalog) {
    auto reader = catalog_->AcquireReader();
    if (reader.ok()) {
      reader_ = std::move(*reader);
    } else {
      status_ = reader.status();
    }
  }
  ~ReadLease() {
    if (reader_) catalog_->ReleaseReader(std::move(reader_));
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  Reader* reader() const { return reader_.get(); }
  Connection& conn() const { return reader_->conn; }
  const Status& status() const { return status_; }

 private:
  SqliteCatalog* catalog_;
  std::unique_ptr<Reader> reader_;
  Status status_;
};

SqliteCatalog::SqliteCatalog(std::filesystem::path file) : file_(std::move(file)) {}

namespace {

// Write-side settings. Neither changes what is stored or how it reads; readers keep SQLite's
// defaults. The writer's page cache holds the b-tree pages a batch touches (the findings and
// path indexes take inserts all over; with the default 2 MiB their pages were read back from
// the OS again and again). The FTS5 pending-data buffer ("hashsize", 1 MiB by default) lets a
// batch's postings reach the index as one segment instead of several small ones that automerge
// then merges again.
constexpr int kWriterCacheKiB = 16 << 10;
constexpr int64_t kFtsHashBytes = int64_t{4} << 20;

Status ConfigureWriter(sqlite3* db) {
  ARCHIVUM_RETURN_IF_ERROR(
      Exec(db, ("PRAGMA cache_size=-" + std::to_string(kWriterCacheKiB)).c_str()));
  // hashsize is a persistent FTS5 option (in texts_config): written only when it differs.
  int64_t current = 0;
  {
    Statement get(db, "SELECT v FROM texts_config WHERE k = 'hashsize'");
    if (!get.ok()) return get.status();
    if (get.Step()) current = get.Int(0);
    ARCHIVUM_RETURN_IF_ERROR(get.status());
  }
  if (current == kFtsHashBytes) return Status::Ok();
  return Exec(db, ("INSERT INTO texts(texts, rank) VALUES('hashsize', " +
                   std::to_string(kFtsHashBytes) + ")")
                      .c_str());
}

}  // namespace

StatusOr<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return PermissionDenied("cannot create store directory " + dir.string() + ": " + ec.message());
  }
  std::unique_ptr<SqliteCatalog> catalog(new SqliteCatalog(dir / "catalog.db"));
  auto writer = OpenConnection(catalog->file_.string(), /*create=*/true);
  if (!writer.ok()) return writer.status();
  catalog->writer_ = std::make_unique<Connection>(*writer);
  ARCHIVUM_RETURN_IF_ERROR(Migrate(catalog->writer_->db(), catalog->file_.string()));
  ARCHIVUM_RETURN_IF_ERROR(ConfigureWriter(catalog->writer_->db()));
  ARCHIVUM_RETURN_IF_ERROR(catalog->LoadLengths(*catalog->writer_));
  auto checkpointer = WalCheckpointer::Start(catalog->file_.string());
  if (checkpointer.ok()) {
    catalog->checkpointer_ = std::move(*checkpointer);
    catalog->checkpointer_->Attach(catalog->writer_->db());
  } else {
    spdlog::warn("store: WAL checkpoints stay with the writer: {}",
                 checkpointer.status().message());
  }
  return catalog;
}

SqliteCatalog::~SqliteCatalog() {
  // The writer closes after the checkpointer: without its hook first.
  if (checkpointer_ && writer_) WalCheckpointer::Detach(writer_->db());
  checkpointer_.reset();
}

namespace {

// The commit generation the database is at; call inside a transaction to pair it with reads.
StatusOr<int64_t> ReadGeneration(Connection& conn) {
  Statement st(conn, "SELECT value FROM catalog_state WHERE key = 'text_generation'");
  if (!st.ok()) return st.status();
  if (!st.Step())
    return st.status().ok() ? Internal("catalog_state has no generation") : st.status();
  return st.Int(0);
}

// A read transaction ended on scope exit (statements must be reset before, so declare it
// first); nothing when the connection is already inside one. BEGIN and COMMIT are the
// connection's cached statements: sqlite3_exec would parse them again on every call. A COMMIT
// that fails leaves the transaction open; ReleaseReader rolls it back.
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

}  // namespace

Status SqliteCatalog::LoadLengths(Connection& conn) {
  // Serialized so concurrent searches noticing the same change load the counts once.
  std::lock_guard reload(reload_mu_);
  ReadTransaction txn(conn);
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  auto generation = ReadGeneration(conn);
  if (!generation.ok()) return generation.status();
  {
    std::lock_guard lock(lengths_mu_);
    if (lengths_ && lengths_generation_ == *generation) return Status::Ok();  // done meanwhile
  }
  auto lengths = std::make_shared<DocLengths>();
  Statement st(conn, "SELECT id, sz FROM texts_docsize");
  if (!st.ok()) return st.status();
  while (st.Step()) {
    const int64_t id = st.Int(0);
    if (id < 0 || id >= kMaxLengthRowid) continue;
    const std::string_view sz = st.TextView(1);
    if (lengths->size() <= static_cast<size_t>(id)) lengths->resize(static_cast<size_t>(id) + 1);
    (*lengths)[static_cast<size_t>(id)] = DocsizeTotal(
        reinterpret_cast<const unsigned char*>(sz.data()), static_cast<int>(sz.size()));
  }
  if (!st.status().ok()) return st.status();
  std::lock_guard lock(lengths_mu_);
  if (!lengths_ || *generation > lengths_generation_) {
    lengths_ = std::move(lengths);
    lengths_generation_ = *generation;
  }
  return Status::Ok();
}

void SqliteCatalog::PublishLengths(const std::vector<std::pair<int64_t, uint32_t>>& updates,
                                   int64_t generation) {
  // Copy-on-write: readers keep the snapshot they started with. Called under write_mu_, so
  // commits publish in order; if the snapshot is not the one just before this commit (another
  // process committed in between), it is left alone and the next search reloads it.
  std::shared_ptr<const DocLengths> base;
  {
    std::lock_guard lock(lengths_mu_);
    if (!lengths_ || lengths_generation_ != generation - 1) return;
    base = lengths_;
  }
  auto next = std::make_shared<DocLengths>(*base);
  for (const auto& [id, tokens] : updates) {
    if (id < 0 || id >= kMaxLengthRowid) continue;
    if (next->size() <= static_cast<size_t>(id)) next->resize(static_cast<size_t>(id) + 1);
    (*next)[static_cast<size_t>(id)] = tokens;
  }
  std::lock_guard lock(lengths_mu_);
  if (lengths_generation_ == generation - 1) {
    lengths_ = std::move(next);
    lengths_generation_ = generation;
  }
}

std::pair<std::shared_ptr<const DocLengths>, int64_t> SqliteCatalog::lengths() const {
  std::lock_guard lock(lengths_mu_);
  return {lengths_, lengths_generation_};
}

StatusOr<std::unique_ptr<SqliteCatalog::Reader>> SqliteCatalog::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Reader> reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
  }
  auto db = OpenConnection(file_.string(), /*create=*/false);
  if (!db.ok()) return db.status();
  auto reader = std::make_unique<Reader>(*db);
  ARCHIVUM_RETURN_IF_ERROR(RegisterFtsFunctions(reader->conn.db(), &reader->fts));
  return reader;
}

void SqliteCatalog::ReleaseReader(std::unique_ptr<Reader> reader) {
  // Bounded so a burst of concurrent queries does not keep connections forever.
  constexpr size_t kMaxIdleReaders = 16;
  reader->fts.lengths.reset();
  // A reader left inside a transaction (a failed COMMIT) would pin its snapshot and never see
  // later commits: roll back, or close it if even that fails.
  if (sqlite3_get_autocommit(reader->conn.db()) == 0) {
    (void)Exec(reader->conn.db(), "ROLLBACK");
    if (sqlite3_get_autocommit(reader->conn.db()) == 0) return;
  }
  reader->conn.Trim(kMaxCachedStatements);
  {
    std::lock_guard lock(readers_mu_);
    if (idle_readers_.size() < kMaxIdleReaders) {
      idle_readers_.push_back(std::move(reader));
      return;
    }
  }
  // Past the bound: the connection closes here, outside the lock.
}

StatusOr<std::optional<DocumentRecord>> SqliteCatalog::Find(std::string_view path) {
  ReadLease lease(this);
  if (!lease.reader()) return lease.status();
  Statement st(lease.conn(),
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
  if (!lease.reader()) return lease.status();
  // A range scan on the path index: everything starting with "dir/" sorts between "dir/" and
  // "dir0" ('0' follows '/' in ASCII).
  std::string base(dir);
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string lo = base == "/" ? "/" : base + "/";
  const std::string hi = base == "/" ? "0" : base + "0";
  Statement st(lease.conn(), std::string("SELECT ") + kRecordColumns +
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
  sqlite3* db = writer_->db();
  ARCHIVUM_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  std::vector<std::pair<int64_t, uint32_t>> lengths;
  Status st = WriteLocked(writes, removals, &lengths);
  int64_t generation = 0;
  if (st.ok()) {
    Statement bump(*writer_,
                   "UPDATE catalog_state SET value = value + 1 WHERE key = 'text_generation' "
                   "RETURNING value");
    if (bump.Step()) generation = bump.Int(0);
    st = bump.status().ok() && generation == 0 ? Internal("catalog_state has no generation")
                                               : bump.status();
    if (st.ok() && bump.Step()) st = Internal("catalog_state has several generations");
  }
  if (st.ok()) st = Exec(db, "COMMIT");
  if (!st.ok()) {
    (void)Exec(db, "ROLLBACK");
    return st;
  }
  PublishLengths(lengths, generation);
  writer_->Trim(kMaxCachedStatements);
  return Status::Ok();
}

Status SqliteCatalog::WriteLocked(const std::vector<DocumentWrite>& writes,
                                  const std::vector<std::string>& removals,
                                  std::vector<std::pair<int64_t, uint32_t>>* lengths) {
  Connection& conn = *writer_;
  // Children sort between "parent!/" and "parent!0" ('0' follows '/').
  Statement drop_children(conn, "DELETE FROM documents WHERE path >= ?1 AND path < ?2");
  Statement drop(conn, "DELETE FROM documents WHERE path = ?1");
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

  Statement up(conn,
               "INSERT INTO documents(path, size, mtime_ns, ingested_at_ns, parent, name, ext, "
               "sha256, mime, analyzers, signature) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
               "?10, ?11) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
               "mtime_ns = excluded.mtime_ns, ingested_at_ns = excluded.ingested_at_ns, "
               "parent = excluded.parent, name = excluded.name, ext = excluded.ext, "
               "sha256 = excluded.sha256, mime = excluded.mime, analyzers = excluded.analyzers, "
               "signature = excluded.signature RETURNING id");
  Statement clear_findings(conn, "DELETE FROM findings WHERE document_id = ?1");
  Statement add_finding(
      conn, "INSERT INTO findings(document_id, plugin, key, value) VALUES(?1,?2,?3,?4)");
  Statement clear_text(conn, "DELETE FROM texts WHERE rowid = ?1");
  Statement add_text(conn, "INSERT INTO texts(rowid, path, body) VALUES(?1, ?2, ?3)");
  Statement text_size(conn, "SELECT sz FROM texts_docsize WHERE id = ?1");
  for (Statement* s : {&up, &clear_findings, &add_finding, &clear_text, &add_text, &text_size}) {
    if (!s->ok()) return s->status();
  }
  // Documents and findings first; the full-text rows after, in rowid order. FTS5 flushes its
  // pending index data to a new segment whenever a write goes to a rowid below the previous one,
  // so writing texts in batch order (workers finish in any order; a re-analysis rewrites old
  // rows) would cut a tiny segment per document and leave the merging to later writes.
  struct PendingText {
    int64_t id;
    const DocumentWrite* write;
  };
  std::vector<PendingText> texts;
  texts.reserve(writes.size());
  // Entries of `texts` whose path holds "!/", the only ones the scan below can match (members,
  // and files below a directory whose name ends in '!').
  size_t member_texts = 0;
  for (const auto& w : writes) {
    const DocumentRecord& d = w.document;
    // A document written anew replaces its old members; members in this batch follow it.
    if (d.parent.empty()) {
      ARCHIVUM_RETURN_IF_ERROR(remove_children(d.path));
      // Members of it written earlier in this batch are gone with their rows. A batch of plain
      // files has no path that can match and skips the scan, which is linear in the batch.
      if (member_texts > 0) {
        const std::string lo = d.path + "!/";
        const std::string hi = d.path + "!0";
        member_texts -= std::erase_if(texts, [&](const PendingText& t) {
          return t.write->document.path >= lo && t.write->document.path < hi;
        });
      }
    }
    // BindStatic: `writes` outlives every statement here, and each is reset (bindings cleared)
    // after its step or, on an early return, by its destructor.
    up.BindStatic(1, d.path);
    up.Bind(2, static_cast<int64_t>(d.size));
    up.Bind(3, d.mtime_ns);
    up.Bind(4, d.ingested_at_ns);
    up.BindStatic(5, d.parent);
    up.BindStatic(6, d.name);
    up.BindStatic(7, d.ext);
    up.BindStatic(8, d.sha256);
    up.BindStatic(9, d.mime);
    up.BindStatic(10, d.analyzers);
    up.BindStatic(11, d.signature);
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
      add_finding.BindStatic(2, f.plugin);
      add_finding.BindStatic(3, f.key);
      add_finding.BindStatic(4, f.value);
      add_finding.Step();
      ARCHIVUM_RETURN_IF_ERROR(add_finding.status());
      add_finding.Reset();
    }
    texts.push_back({id, &w});
    if (d.path.find("!/") != std::string::npos) ++member_texts;
  }

  // Stable: a path written twice in one batch keeps its last text.
  std::stable_sort(texts.begin(), texts.end(),
                   [](const PendingText& a, const PendingText& b) { return a.id < b.id; });
  for (const PendingText& t : texts) {
    clear_text.Bind(1, t.id);
    clear_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_text.status());
    clear_text.Reset();
    add_text.Bind(1, t.id);
    add_text.BindStatic(2, t.write->document.path);
    add_text.BindStatic(3, t.write->text);
    add_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(add_text.status());
    add_text.Reset();
    // The row's token count as FTS5 recorded it, for ranking (published after COMMIT).
    text_size.Bind(1, t.id);
    if (text_size.Step()) {
      const std::string_view sz = text_size.TextView(0);
      lengths->emplace_back(t.id, DocsizeTotal(reinterpret_cast<const unsigned char*>(sz.data()),
                                               static_cast<int>(sz.size())));
    }
    ARCHIVUM_RETURN_IF_ERROR(text_size.status());
    text_size.Reset();
  }
  return Status::Ok();
}

StatusOr<std::optional<DocumentDetail>> SqliteCatalog::Get(std::string_view path) {
  ReadLease lease(this);
  if (!lease.reader()) return lease.status();
  Statement st(lease.conn(),
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
  Statement fs(lease.conn(),
               "SELECT plugin, key, value FROM findings WHERE document_id = ?1 ORDER BY rowid");
  if (!fs.ok()) return fs.status();
  fs.Bind(1, id);
  while (fs.Step()) detail.findings.push_back({fs.Text(0), fs.Text(1), fs.Text(2)});
  if (!fs.status().ok()) return fs.status();
  return std::optional<DocumentDetail>(std::move(detail));
}

namespace {

void BindAll(Statement& st, std::span<const SqlValue> params) {
  int i = 1;
  for (const auto& v : params) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      st.Bind(i++, *n);
    } else {
      st.Bind(i++, std::get<std::string>(v));
    }
  }
}

// A match: (score, rowid).
using Scored = std::pair<double, int64_t>;

// The filter when the whole query is one filter on `field` ("path:DIR"), else null.
const query::Filter* SingleFilter(const query::Query& q, query::Field field) {
  if (!q.where || q.where->kind != query::NodeKind::kTerm) return nullptr;
  const auto* f = std::get_if<query::Filter>(&q.where->term);
  return f != nullptr && f->field == field ? f : nullptr;
}

// A lone "sha256:HEX" filter: the page of the documents with that digest in path order, and
// their number, exactly as the compiled query and its count_sql give them. The compiled
// "... ORDER BY d.path LIMIT ? OFFSET ?" sorts the matches in a temporary b-tree that SQLite
// creates and drops on every execution (a pager of its own, costing more than the index lookup
// itself), and a full page needs a second statement for the count; here one unordered pass over
// the sha256 index reads the matches once and the page is chosen in memory, keeping at most
// about 2 * (offset + limit) of them.
Status SearchSha256(Connection& conn, const std::string& digest, uint32_t limit, uint32_t offset,
                    SearchResult* result, std::vector<int64_t>* ids) {
  struct Row {
    std::string path;
    int64_t id;
    uint64_t size;
    int64_t mtime_ns;
    std::string mime;
  };
  Statement st(conn, "SELECT id, path, size, mtime_ns, mime FROM documents WHERE sha256 = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, digest);
  const size_t wanted = static_cast<size_t>(offset) + limit;
  // std::string orders bytes as unsigned values, as SQLite's BINARY collation does; paths are
  // unique, so the order is total.
  const auto by_path = [](const Row& a, const Row& b) { return a.path < b.path; };
  std::vector<Row> rows;
  uint64_t total = 0;
  while (st.Step()) {
    ++total;
    if (wanted == 0) continue;
    rows.push_back(
        {st.Text(1), st.Int(0), static_cast<uint64_t>(st.Int(2)), st.Int(3), st.Text(4)});
    if (rows.size() >= 2 * wanted + 64) {  // keep the first `wanted` by path
      std::nth_element(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(wanted), rows.end(),
                       by_path);
      rows.resize(wanted);
    }
  }
  if (!st.status().ok()) return st.status();
  result->total = total;
  std::sort(rows.begin(), rows.end(), by_path);
  const size_t end = std::min(wanted, rows.size());
  if (end > offset) {
    result->hits.reserve(end - offset);
    ids->reserve(end - offset);
  }
  for (size_t i = offset; i < end; ++i) {
    SearchHit& h = result->hits.emplace_back();
    h.document.path = std::move(rows[i].path);
    h.document.size = rows[i].size;
    h.document.mtime_ns = rows[i].mtime_ns;
    h.document.mime = std::move(rows[i].mime);
    ids->push_back(rows[i].id);
  }
  return Status::Ok();
}

// The number of documents a lone "path:DIR" filter matches: DIR itself plus [DIR/, DIR0), as
// query/compiler.h defines it ('0' follows '/'; for "/" both are the range ["/", "0")). The
// compiled count_sql tests every index entry of [DIR, DIR0) against the page query's combined
// condition; two plain range counts only compare each entry with the range's end, which costs
// about half as much per entry (a directory of 23,000 files: 0.8 instead of 1.8 ms).
StatusOr<uint64_t> CountPath(Connection& conn, const std::string& dir) {
  const bool root = dir == "/";
  const std::string low = root ? dir : dir + "/";
  const std::string high = root ? std::string("0") : dir + "0";
  Statement st(conn, root ? "SELECT count(*) FROM documents WHERE path >= ?2 AND path < ?3"
                          : "SELECT (SELECT count(*) FROM documents WHERE path = ?1) + "
                            "(SELECT count(*) FROM documents WHERE path >= ?2 AND path < ?3)");
  if (!st.ok()) return st.status();
  if (!root) st.Bind(1, dir);
  st.Bind(2, low);
  st.Bind(3, high);
  if (!st.Step()) return st.status().ok() ? Internal("count returned no row") : st.status();
  return static_cast<uint64_t>(st.Int(0));
}

// The total of an unranked search (what compiled.count_sql counts), from `cache` when this
// connection counted the same search at the database's current data version. Call inside a
// read transaction that has already read something, so that the version is its snapshot's.
StatusOr<uint64_t> CountUnranked(Connection& conn, CountCache& cache, const query::Query& q,
                                 const CompiledQuery& compiled) {
  unsigned int version = 0;
  const bool versioned =
      sqlite3_file_control(conn.db(), "main", SQLITE_FCNTL_DATA_VERSION, &version) == SQLITE_OK;
  // The statement and its parameters, each with its length (and type): injective.
  std::string key = std::to_string(compiled.count_sql.size());
  key += ':';
  key += compiled.count_sql;
  for (const auto& v : compiled.count_params()) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      key += "\ni";
      key += std::to_string(*n);
    } else {
      const std::string& text = std::get<std::string>(v);
      key += "\ns";
      key += std::to_string(text.size());
      key += ':';
      key += text;
    }
  }
  if (versioned) {
    if (const uint64_t* total = cache.Find(version, key)) return *total;
  }
  StatusOr<uint64_t> total = uint64_t{0};
  if (const query::Filter* path = SingleFilter(q, query::Field::kPath)) {
    total = CountPath(conn, path->text);
  } else {
    Statement count(conn, compiled.count_sql);
    if (!count.ok()) return count.status();
    BindAll(count, compiled.count_params());
    if (count.Step()) total = static_cast<uint64_t>(count.Int(0));
    if (!count.status().ok()) return count.status();
  }
  if (total.ok() && versioned) cache.Insert(version, std::move(key), *total);
  return total;
}

}  // namespace

StatusOr<SearchResult> SqliteCatalog::SearchRanked(Reader& reader, const query::Query&,
                                                   const CompiledQuery& compiled, uint32_t limit,
                                                   uint32_t offset, const SearchOptions& options,
                                                   std::vector<int64_t>* ids) {
  SearchResult result;
  // 0. The token counts for ranking, checked against the database in the same read
  // transaction as the ranking itself (another process may have written the store).
  ReadTransaction txn(reader.conn);
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  auto generation = ReadGeneration(reader.conn);
  if (!generation.ok()) return generation.status();
  auto [snapshot, snapshot_generation] = lengths();
  if (snapshot_generation != *generation) {
    ARCHIVUM_RETURN_IF_ERROR(LoadLengths(reader.conn));
    std::tie(snapshot, snapshot_generation) = lengths();
  }
  // Still different (a commit of this process is being published right now): rank without
  // the snapshot, looking every length up; exact, only slower.
  reader.fts.lengths = snapshot_generation == *generation ? std::move(snapshot) : nullptr;

  // 1. Every match with its BM25 score, in one pass over the FTS index; counting them is free.
  std::vector<std::pair<double, int64_t>> all;
  {
    // Without filters the function collects the matches itself (no row per match comes back);
    // with filters the matches that pass them come back as rows.
    if (compiled.rank_without_filters) {
      reader.fts.collect = &all;
      reader.fts.may_defer_idf = true;
    }
    Statement rank(reader.conn, compiled.rank_sql);
    Status st = rank.status();
    if (rank.ok()) {
      BindAll(rank, compiled.count_params());
      while (rank.Step()) {
        if (!compiled.rank_without_filters) all.emplace_back(rank.Double(1), rank.Int(0));
      }
      st = rank.status();
    }
    reader.fts.collect = nullptr;
    reader.fts.may_defer_idf = false;
    if (!st.ok()) {
      reader.fts.idf_deferred = false;
      return st;
    }
    ApplyDeferredIdf(&reader.fts, &all);
  }
  result.total = all.size();
  const size_t wanted = static_cast<size_t>(offset) + limit;
  if (limit == 0 || offset >= all.size()) return result;

  // 2. The best `wanted` by score, plus everything tied with the last of them: ties are ordered
  // by path (as the SQL form orders them), which needs the documents row.
  auto better = [](const Scored& a, const Scored& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  if (wanted < all.size()) {
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(wanted - 1), all.end(),
                     better);
    const double boundary = all[wanted - 1].first;
    auto tail = std::partition(all.begin() + static_cast<std::ptrdiff_t>(wanted), all.end(),
                               [&](const Scored& x) { return x.first == boundary; });
    size_t keep = static_cast<size_t>(tail - all.begin());
    if (keep > wanted + kMaxTiesByPath) {
      // A flood of equal scores: settle the extra ties by rowid instead of reading every path.
      std::sort(all.begin() + static_cast<std::ptrdiff_t>(wanted), tail, better);
      keep = wanted + kMaxTiesByPath;
    }
    all.resize(keep);
  }

  // 3. The candidates' documents, then the page in (score DESC, path) order.
  struct Candidate {
    double score;
    int64_t id;
    DocumentRecord doc;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(all.size());
  {
    Statement doc(reader.conn, "SELECT path, size, mtime_ns, mime FROM documents WHERE id = ?1");
    if (!doc.ok()) return doc.status();
    for (const auto& [score, id] : all) {
      doc.Bind(1, id);
      if (doc.Step()) {
        Candidate c{score, id, {}};
        c.doc.path = doc.Text(0);
        c.doc.size = static_cast<uint64_t>(doc.Int(1));
        c.doc.mtime_ns = doc.Int(2);
        c.doc.mime = doc.Text(3);
        candidates.push_back(std::move(c));
      }
      if (!doc.status().ok()) return doc.status();
      doc.Reset();
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.doc.path < b.doc.path;
  });
  const size_t begin = std::min<size_t>(offset, candidates.size());
  const size_t end = std::min<size_t>(begin + limit, candidates.size());

  // 4. Snippets for the page only, in one pass over the page's rowid range: re-evaluating the
  // MATCH once per hit would repeat its fixed cost (prefix expansion, phrase checks) per hit.
  std::vector<int64_t> page_ids;
  for (size_t i = begin; i < end; ++i) page_ids.push_back(candidates[i].id);
  std::vector<std::pair<int64_t, std::string>> snippets;
  if (options.snippets && !page_ids.empty()) {
    std::vector<int64_t> sorted = page_ids;
    std::sort(sorted.begin(), sorted.end());
    reader.fts.snippet_rows = &sorted;
    Statement snip(reader.conn,
                   "SELECT rowid, archivum_snippet(texts) FROM texts WHERE texts MATCH ?1 AND "
                   "rowid >= ?2 AND rowid <= ?3");
    Status st = snip.status();
    if (snip.ok()) {
      snip.Bind(1, compiled.fts_match);
      snip.Bind(2, sorted.front());
      snip.Bind(3, sorted.back());
      while (snip.Step()) {
        if (!snip.IsNull(1)) {
          snippets.emplace_back(snip.Int(0), snip.Text(1));
        }
      }
      st = snip.status();
    }
    reader.fts.snippet_rows = nullptr;
    if (!st.ok()) return st;
    std::sort(snippets.begin(), snippets.end());
  }
  for (size_t i = begin; i < end; ++i) {
    SearchHit h;
    h.document = std::move(candidates[i].doc);
    h.score = candidates[i].score;
    auto it = std::lower_bound(snippets.begin(), snippets.end(), candidates[i].id,
                               [](const auto& s, int64_t id) { return s.first < id; });
    if (it != snippets.end() && it->first == candidates[i].id) h.snippet = std::move(it->second);
    result.hits.push_back(std::move(h));
    ids->push_back(candidates[i].id);
  }
  return result;
}

StatusOr<SearchResult> SqliteCatalog::Search(const query::Query& q, uint32_t limit, uint32_t offset,
                                             const SearchOptions& options) {
  SearchResult result;
  // A lone sha256: filter is one statement (no count, no findings): no SQL to compile and no
  // transaction to open.
  if (const query::Filter* sha256 = SingleFilter(q, query::Field::kSha256)) {
    ReadLease lease(this);
    if (!lease.reader()) return lease.status();
    std::vector<int64_t> ids;
    ARCHIVUM_RETURN_IF_ERROR(
        SearchSha256(lease.conn(), sha256->text, limit, offset, &result, &ids));
    return result;
  }
  auto compiled = Compile(q, limit, offset);
  if (!compiled.ok()) return compiled.status();
  if (!compiled->has_catalog_terms) return result;
  ReadLease lease(this);
  if (!lease.reader()) return lease.status();
  // One read transaction for every statement below (the page, its count, the findings): the
  // WAL read lock is taken once per search instead of once per statement, and the count
  // describes the same snapshot as the page.
  ReadTransaction txn(lease.conn());
  ARCHIVUM_RETURN_IF_ERROR(txn.status());

  std::vector<int64_t> ids;
  if (compiled->ranked) {
    auto ranked = SearchRanked(*lease.reader(), q, *compiled, limit, offset, options, &ids);
    if (!ranked.ok()) return ranked.status();
    result = std::move(*ranked);
  } else {
    // Columns: d.id, d.path, d.size, d.mtime_ns, d.mime, score, snippet. Unranked, score and
    // snippet are the constants 0.0 and '' (query/compiler.h), which SearchHit's defaults
    // already are: they are not read.
    Statement st(lease.conn(), compiled->sql);
    if (!st.ok()) return st.status();
    BindAll(st, compiled->params);
    // A page is usually full; past 64 the vector grows as needed (limit is user-controlled).
    result.hits.reserve(std::min<uint32_t>(limit, 64));
    ids.reserve(result.hits.capacity());
    while (st.Step()) {
      // Built in place: a SearchHit is a dozen strings, each moved again by push_back.
      SearchHit& h = result.hits.emplace_back();
      ids.push_back(st.Int(0));
      h.document.path = st.TextView(1);
      h.document.size = static_cast<uint64_t>(st.Int(2));
      h.document.mtime_ns = st.Int(3);
      h.document.mime = st.TextView(4);
    }
    if (!st.status().ok()) return st.status();

    // A first page that is not full is the whole answer: counting again would be wasted work.
    if (offset == 0 && result.hits.size() < limit) {
      result.total = result.hits.size();
    } else {
      auto total = CountUnranked(lease.conn(), lease.reader()->counts, q, *compiled);
      if (!total.ok()) return total.status();
      result.total = *total;
    }
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
  Statement fs(lease.conn(),
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

}  // namespace archivum::store::sqlite
