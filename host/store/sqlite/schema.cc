#include "store/sqlite/schema.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include "store/sqlite/connection.h"

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
    // 4 → 5: covering indexes for the cheap lookups, whose pages need (id, path, size,
    // mtime_ns, mime): read from the index alone, with no table lookup per hit.
    //   documents_sha256: "sha256:HEX" pages.
    //   documents_path_page: "path:DIR" pages; the narrower UNIQUE path index stays beside it
    //   because range counts are cheaper there.
    ("DROP INDEX documents_sha256;"
     "CREATE INDEX documents_sha256 ON documents(sha256, path, size, mtime_ns, mime);"
     "CREATE INDEX documents_path_page ON documents(path, size, mtime_ns, mime);"),
    // 5 → 6: the quarantine, content a plugin version crashed or timed out on. Read whole at
    // start-up (the host keeps it in memory), written by its key, cleared by plugin or digest
    // with a scan: it stays small, so it needs no index beyond its key.
    ("CREATE TABLE quarantine ("
     "  sha256 TEXT NOT NULL,"
     "  plugin TEXT NOT NULL,"
     "  plugin_version TEXT NOT NULL,"
     "  reason TEXT NOT NULL,"
     "  path TEXT NOT NULL,"
     "  at_ns INTEGER NOT NULL,"
     "  PRIMARY KEY (sha256, plugin, plugin_version)"
     ") WITHOUT ROWID;"),
    // 6 → 7: the catalog's own tokenizer (tokenizer.h: case, compatibility forms, ß and
    // diacritics folded; CJK as bigrams) instead of unicode61, for the text index and the new
    // metadata index; the text index is rebuilt from the text it stores. Then the metadata words
    // of the findings already cataloged (metadata_text.h), and indexes for the pages and created
    // comparisons: partial, so only findings of that key pay for them at ingest. The text
    // generation moves on: every document's token count has changed (doc_lengths.h).
    ("DROP TRIGGER documents_delete_text;"
     "ALTER TABLE texts RENAME TO texts_v6;"
     "CREATE VIRTUAL TABLE texts USING fts5(path, body, tokenize = 'archivum');"
     "INSERT INTO texts(rowid, path, body) SELECT rowid, path, body FROM texts_v6 ORDER BY rowid;"
     "DROP TABLE texts_v6;"
     "CREATE TRIGGER documents_delete_text AFTER DELETE ON documents BEGIN"
     "  DELETE FROM texts WHERE rowid = old.id;"
     "END;"
     "CREATE VIRTUAL TABLE metadata_text USING fts5(title, author, subject, \"from\", \"to\", "
     "language, tokenize = 'archivum');"
     "INSERT INTO metadata_text(rowid, title, author, subject, \"from\", \"to\", language)"
     "  SELECT document_id,"
     "    group_concat(CASE key WHEN 'title' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'author' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'subject' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'from' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'to' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'language' THEN value END, char(30))"
     "  FROM findings WHERE key IN ('title', 'author', 'subject', 'from', 'to', 'language')"
     "  GROUP BY document_id ORDER BY document_id;"
     "CREATE TRIGGER documents_delete_metadata AFTER DELETE ON documents BEGIN"
     "  DELETE FROM metadata_text WHERE rowid = old.id;"
     "END;"
     "CREATE INDEX findings_pages ON findings(CAST(value AS INTEGER)) WHERE key = 'pages';"
     "CREATE INDEX findings_created ON findings(value) WHERE key = 'created';"
     "UPDATE catalog_state SET value = value + 1 WHERE key = 'text_generation';"),
    // 7 → 8: the photo fields. The metadata words gain a camera column (camera_make and
    // camera_model, for camera:); FTS5 cannot add a column, so metadata_text is rebuilt from the
    // findings, which hold every value it indexes (its rows are small: metadata, not text; the
    // text index and its generation are untouched). Then partial indexes, like pages and created:
    // taken over its local date-time (the first 19 characters; an offset after them is ignored,
    // see query/parser.h), width and height over their integers; for near: (geo.h), gps_lat over
    // its degrees (the bounding box's latitudes) and gps_lon by document and plugin, then degrees
    // (the longitude of the same plugin's pair, and the box's longitudes, in one seek).
    ("DROP TRIGGER documents_delete_metadata;"
     "DROP TABLE metadata_text;"
     "CREATE VIRTUAL TABLE metadata_text USING fts5(title, author, subject, \"from\", \"to\", "
     "language, camera, tokenize = 'archivum');"
     "INSERT INTO metadata_text(rowid, title, author, subject, \"from\", \"to\", language, camera)"
     "  SELECT document_id,"
     "    group_concat(CASE key WHEN 'title' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'author' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'subject' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'from' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'to' THEN value END, char(30)),"
     "    group_concat(CASE key WHEN 'language' THEN value END, char(30)),"
     "    group_concat(CASE WHEN key IN ('camera_make', 'camera_model') THEN value END, char(30))"
     "  FROM (SELECT document_id, key, value FROM findings WHERE key IN ('title', 'author', "
     "    'subject', 'from', 'to', 'language', 'camera_make', 'camera_model') ORDER BY rowid)"
     "  GROUP BY document_id ORDER BY document_id;"
     "CREATE TRIGGER documents_delete_metadata AFTER DELETE ON documents BEGIN"
     "  DELETE FROM metadata_text WHERE rowid = old.id;"
     "END;"
     "CREATE INDEX findings_taken ON findings(substr(value, 1, 19)) WHERE key = 'taken';"
     "CREATE INDEX findings_width ON findings(CAST(value AS INTEGER)) WHERE key = 'width';"
     "CREATE INDEX findings_height ON findings(CAST(value AS INTEGER)) WHERE key = 'height';"
     "CREATE INDEX findings_gps_lat ON findings(CAST(value AS REAL)) WHERE key = 'gps_lat';"
     "CREATE INDEX findings_gps_lon ON findings(document_id, plugin, CAST(value AS REAL)) WHERE "
     "key = 'gps_lon';"),
    // 8 → 9: previews (thumbnails, kept out of the full-text index) and the marked parts of
    // texts (OCR), ABI 1.4.
    ("CREATE TABLE previews ("
     "  document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
     "  plugin TEXT NOT NULL,"
     "  mime TEXT NOT NULL,"
     "  bytes BLOB NOT NULL"
     ");"
     "CREATE TABLE text_parts ("
     "  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
     "  seq INTEGER NOT NULL,"
     "  plugin TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  start INTEGER NOT NULL,"
     "  length INTEGER NOT NULL,"
     "  PRIMARY KEY (document_id, seq)"
     ") WITHOUT ROWID;"),
    // 9 → 10: the metadata facets (facets.h): the values of the faceted keys by document, with
    // the plugin (covering), partial so that only those findings pay for it at ingest; it also
    // tells at once whether the catalog has any.
    ("CREATE INDEX findings_facets ON findings(document_id, key, value, plugin) WHERE key IN "
     "('author', 'language', 'creator', 'from', 'camera_make', 'camera_model');"),
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// The migrations from these versions re-tokenize every stored text, which takes time in
// proportion to the store: they are logged, so that a slow first start explains itself.
constexpr int64_t kRebuildsTextIndex[] = {6};

}  // namespace

Status Migrate(sqlite3* db, const std::string& file) {
  int64_t current = 0;
  {
    // Finalized before migrating: DDL such as DROP INDEX fails while a statement is active.
    Statement version(db, "PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (!version.Step()) return version.status();
    current = version.Int(0);
  }
  if (current > kSchemaVersion) {
    return FailedPrecondition("catalog " + file + " has schema version " + std::to_string(current) +
                              ", newer than this build's " + std::to_string(kSchemaVersion) +
                              "; upgrade archivumd or use another store");
  }
  for (int64_t v = current; v < kSchemaVersion; ++v) {
    ARCHIVUM_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
    // A new store (version 0) has nothing to rebuild.
    const bool rebuilds =
        current > 0 && std::find(std::begin(kRebuildsTextIndex), std::end(kRebuildsTextIndex), v) !=
                           std::end(kRebuildsTextIndex);
    const auto start = std::chrono::steady_clock::now();
    Status st;
    if (rebuilds) {
      Statement count(db, "SELECT count(*) FROM documents");
      st = count.status();
      if (count.ok() && count.Step()) {
        spdlog::info(
            "store: migrating catalog {} from schema {} to {}: rebuilding the full-text index of "
            "{} documents with the folding tokenizer (once)",
            file, v, v + 1, count.Int(0));
      }
      if (st.ok()) st = count.status();
    }
    if (st.ok()) st = Exec(db, kMigrations[v]);
    if (st.ok()) {
      st = Exec(db, ("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
    }
    if (!st.ok()) {
      (void)Exec(db, "ROLLBACK");
      return st;
    }
    ARCHIVUM_RETURN_IF_ERROR(Exec(db, "COMMIT"));
    if (rebuilds) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      spdlog::info("store: catalog {} is at schema {}; full-text index rebuilt in {} ms", file,
                   v + 1, ms);
    }
  }
  return Status::Ok();
}

}  // namespace archivum::store::sqlite
