// SqliteCatalog on a real database file in a temporary directory.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "store/sqlite/catalog_file.h"
#include "store/sqlite/query_compiler.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/tokenizer.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace {

DocumentWrite Doc(std::string path, uint64_t size, int64_t mtime = 1) {
  DocumentWrite w;
  w.document.path = std::move(path);
  w.document.size = size;
  w.document.mtime_ns = mtime;
  w.document.ingested_at_ns = 42;
  return w;
}

TEST(SqliteCatalog, CommitFindAndReplace) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path() / "store");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE((*cat)->Commit({Doc("/a/x.txt", 3)}, {}).ok());
  auto found = (*cat)->Find("/a/x.txt");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->size, 3u);

  ASSERT_TRUE((*cat)->Commit({Doc("/a/x.txt", 9, 2)}, {}).ok());
  found = (*cat)->Find("/a/x.txt");
  EXPECT_EQ((*found)->size, 9u);
  EXPECT_EQ((*found)->mtime_ns, 2);

  ASSERT_TRUE((*cat)->Commit({}, {"/a/x.txt"}).ok());
  found = (*cat)->Find("/a/x.txt");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST(SqliteCatalog, ListUnderIsBoundedByDirectoryNotPrefix) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)
                  ->Commit({Doc("/data/a", 1), Doc("/data/sub/b", 1), Doc("/data-old/c", 1),
                            Doc("/data0", 1), Doc("/dat", 1)},
                           {})
                  .ok());
  auto under = (*cat)->ListUnder("/data");
  ASSERT_TRUE(under.ok());
  ASSERT_EQ(under->size(), 2u);
  EXPECT_EQ((*under)[0].path, "/data/a");
  EXPECT_EQ((*under)[1].path, "/data/sub/b");
  auto all = (*cat)->ListUnder("/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
}

TEST(SqliteCatalog, SurvivesReopenAndRefusesNewerSchema) {
  testing::TempDir dir;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok());
    ASSERT_TRUE((*cat)->Commit({Doc("/kept", 7)}, {}).ok());
  }
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok());
    auto found = (*cat)->Find("/kept");
    ASSERT_TRUE(found.ok() && found->has_value());
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "catalog.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(cat.status().message().find("99"), std::string::npos);
}

TEST(SqliteCatalog, FindingsTextAndChildrenAreReplacedAsAUnit) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  DocumentWrite outer = Doc("/a/pack.zip", 100);
  outer.document.sha256 = "ab";
  outer.findings = {{"hash", "sha256", "ab"}, {"filetype", "mime", "application/zip"}};
  DocumentWrite member = Doc(ChildPath("/a/pack.zip", "x/readme.txt"), 5);
  member.document.parent = "/a/pack.zip";
  member.text = "hello archive";
  ASSERT_TRUE((*cat)->Commit({outer, member}, {}).ok());

  auto got = (*cat)->Get("/a/pack.zip");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->document.sha256, "ab");
  ASSERT_EQ((*got)->findings.size(), 2u);
  EXPECT_EQ((*got)->findings[1].value, "application/zip");
  auto child = (*cat)->Get("/a/pack.zip!/x/readme.txt");
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ((*child)->document.parent, "/a/pack.zip");

  // Re-analysis without members: the old member and findings go.
  outer.findings = {{"hash", "sha256", "cd"}};
  ASSERT_TRUE((*cat)->Commit({outer}, {}).ok());
  got = (*cat)->Get("/a/pack.zip");
  ASSERT_EQ((*got)->findings.size(), 1u);
  child = (*cat)->Get("/a/pack.zip!/x/readme.txt");
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->has_value());

  // Removing the outer document removes members written later too.
  ASSERT_TRUE((*cat)->Commit({outer, member}, {}).ok());
  ASSERT_TRUE((*cat)->Commit({}, {"/a/pack.zip"}).ok());
  auto all = (*cat)->ListUnder("/");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

// Undoes migrations 7 → 8 and 6 → 7 on a connection with the tokenizer registered: the text index
// back on unicode61 (rebuilt from its text), no metadata words, no partial findings indexes,
// version 6.
constexpr const char* kBackToVersion6 =
    "DROP INDEX findings_facets; DROP TABLE previews; DROP TABLE text_parts;"
    "DROP INDEX findings_taken; DROP INDEX findings_width; DROP INDEX findings_height;"
    "DROP INDEX findings_gps_lat; DROP INDEX findings_gps_lon;"
    "DROP TRIGGER documents_delete_metadata; DROP TABLE metadata_text;"
    "DROP INDEX findings_pages; DROP INDEX findings_created;"
    "DROP TRIGGER documents_delete_text; ALTER TABLE texts RENAME TO texts_v7;"
    "CREATE VIRTUAL TABLE texts USING fts5(path, body, tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO texts(rowid, path, body) SELECT rowid, path, body FROM texts_v7;"
    "DROP TABLE texts_v7;"
    "CREATE TRIGGER documents_delete_text AFTER DELETE ON documents BEGIN"
    "  DELETE FROM texts WHERE rowid = old.id;"
    "END;"
    "PRAGMA user_version=6;";

// Opens the catalog file of `dir` directly, with the tokenizer its text index needs.
sqlite3* OpenRaw(const std::filesystem::path& dir) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((dir / "catalog.db").c_str(), &db), SQLITE_OK);
  EXPECT_TRUE(RegisterTokenizer(db).ok());
  return db;
}

TEST(SqliteCatalog, ABatchRewritingADocumentDropsTheTextOfItsEarlierMembers) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  DocumentWrite outer = Doc("/a/pack.zip", 100);
  outer.text = "outer words";
  DocumentWrite member = Doc(ChildPath("/a/pack.zip", "x/readme.txt"), 5);
  member.document.parent = "/a/pack.zip";
  member.text = "hello archive";
  // A plain file below a directory named "pack.zip!" sorts among the members' paths.
  DocumentWrite lookalike = Doc("/a/pack.zip!/plain.txt", 7);
  lookalike.text = "lookalike words";
  DocumentWrite plain = Doc("/b/plain.txt", 3);
  plain.text = "plain words";
  // One batch: the outer document with its member, then the outer document again without it.
  ASSERT_TRUE((*cat)->Commit({plain, lookalike, outer, member, outer}, {}).ok());
  auto child = (*cat)->Get(member.document.path);
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->has_value());
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT path FROM texts ORDER BY path"),
            "/a/pack.zip,/b/plain.txt");
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT count(*) FROM texts WHERE texts MATCH 'archive'"),
            "0");
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT count(*) FROM texts WHERE texts MATCH 'words'"),
            "2");
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT path FROM documents ORDER BY path"),
            "/a/pack.zip,/b/plain.txt");
}

TEST(SqliteCatalog, WriterSettingsArePersistedOnceAndDoNotChangeResults) {
  testing::TempDir dir;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok());
    DocumentWrite d = Doc("/x/one.txt", 1);
    d.text = "alpha beta";
    ASSERT_TRUE((*cat)->Commit({d}, {}).ok());
  }
  // The full-text index's pending-data size (FTS5 "hashsize") is stored with the index.
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT v FROM texts_config WHERE k = 'hashsize'"),
            "4194304");
  auto again = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT v FROM texts_config WHERE k = 'hashsize'"),
            "4194304");
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT path FROM texts WHERE texts MATCH 'beta'"),
            "/x/one.txt");
}

// The writer binds every text of a batch without copying it (BindStatic): each row keeps its own
// values, whatever the rows bound before and after it.
TEST(SqliteCatalog, EveryTextFieldOfABatchIsStoredAsWritten) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  std::vector<DocumentWrite> batch;
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::to_string(i);
    DocumentWrite w = Doc("/b/f" + n + ".t" + n, 10 + i);
    w.document.name = "f" + n + ".t" + n;
    w.document.ext = "t" + n;
    w.document.sha256 = std::string(64, static_cast<char>('a' + i));
    w.document.mime = "text/x-" + n;
    w.document.analyzers = "text@" + n;
    w.document.signature = "sig" + n;
    w.findings.push_back({"plug" + n, "key" + n, "value" + n});
    w.text = "word" + n + " " + std::string(100000, static_cast<char>('p' + i));
    batch.push_back(std::move(w));
  }
  ASSERT_TRUE((*cat)->Commit(batch, {}).ok());
  batch.clear();  // nothing the catalog stored may refer to the batch's buffers
  EXPECT_EQ(
      CatalogColumn0(dir.path(),
                     "SELECT path || '|' || name || '|' || ext || '|' || substr(sha256, 1, 2) || "
                     "'|' || mime || '|' || analyzers || '|' || signature FROM documents "
                     "ORDER BY path"),
      "/b/f0.t0|f0.t0|t0|aa|text/x-0|text@0|sig0,/b/f1.t1|f1.t1|t1|bb|text/x-1|text@1|sig1,"
      "/b/f2.t2|f2.t2|t2|cc|text/x-2|text@2|sig2");
  EXPECT_EQ(
      CatalogColumn0(dir.path(),
                     "SELECT d.path || '|' || f.plugin || '|' || f.key || '|' || f.value FROM "
                     "findings f JOIN documents d ON d.id = f.document_id ORDER BY d.path"),
      "/b/f0.t0|plug0|key0|value0,/b/f1.t1|plug1|key1|value1,/b/f2.t2|plug2|key2|value2");
  EXPECT_EQ(
      CatalogColumn0(dir.path(),
                     "SELECT path || '|' || length(body) || '|' || substr(body, 1, 7) FROM texts "
                     "ORDER BY path"),
      "/b/f0.t0|100006|word0 p,/b/f1.t1|100006|word1 q,/b/f2.t2|100006|word2 r");
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT path FROM texts WHERE texts MATCH 'word1'"),
            "/b/f1.t1");
}

// New stores get 16 KiB pages; a store created with SQLite's default 4 KiB pages keeps them,
// opens, migrates, and reads and writes as a new one does.
TEST(SqliteCatalog, NewStoresUseLargePagesAndOldStoresKeepTheirs) {
  testing::TempDir fresh;
  {
    auto cat = OpenSqliteCatalog(fresh.path());
    ASSERT_TRUE(cat.ok());
    ASSERT_TRUE((*cat)->Commit({Doc("/n/a", 1)}, {}).ok());
  }
  EXPECT_EQ(CatalogColumn0(fresh.path(), "PRAGMA page_size"), "16384");

  testing::TempDir old;
  {
    // A store created without kNewDatabasePageBytes: WAL mode on an empty file with SQLite's
    // default page size.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((old.path() / "catalog.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  for (int round = 0; round < 2; ++round) {
    auto cat = OpenSqliteCatalog(old.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    DocumentWrite w = Doc("/o/doc" + std::to_string(round), 4);
    w.text = "oldstore round" + std::to_string(round);
    ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
    auto q = query::Parse("oldstore");
    ASSERT_TRUE(q.ok());
    auto got = (*cat)->Search(*q, 10, 0);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->total, static_cast<uint64_t>(round + 1));
    auto found = (*cat)->Find("/o/doc0");
    ASSERT_TRUE(found.ok() && found->has_value());
  }
  EXPECT_EQ(CatalogColumn0(old.path(), "PRAGMA page_size"), "4096");
}

// A store written by the previous schema (version 3: no documents_ext index, no catalog_state)
// migrates forward on open, keeps its rows, and answers ext: and full-text queries, and later
// commits work.
TEST(SqliteCatalog, MigratesVersion3StoresForward) {
  testing::TempDir dir;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok());
    DocumentWrite w = Doc("/old/readme.txt", 5);
    w.document.ext = "txt";
    w.text = "legacy words";
    ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
  }
  auto version = [&] {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir.path() / "catalog.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT (SELECT user_version FROM pragma_user_version), "
                                 "(SELECT count(*) FROM sqlite_master WHERE name = "
                                 "'documents_ext')",
                                 -1, &st, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    const auto out = std::make_pair(sqlite3_column_int(st, 0), sqlite3_column_int(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  };
  EXPECT_EQ(version(), std::make_pair(kSchemaVersion, 1));
  {
    // Back to exactly what version 3 wrote.
    sqlite3* db = OpenRaw(dir.path());
    ASSERT_EQ(sqlite3_exec(db, kBackToVersion6, nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX documents_ext; DROP TABLE catalog_state; "
                           "DROP INDEX documents_path_page; DROP INDEX documents_sha256; "
                           "CREATE INDEX documents_sha256 ON documents(sha256); "
                           "DROP TABLE quarantine; PRAGMA user_version=3",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(version(), std::make_pair(3, 0));
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(version(), std::make_pair(kSchemaVersion, 1));
  auto found = (*cat)->Find("/old/readme.txt");
  ASSERT_TRUE(found.ok() && found->has_value());
  for (const char* text : {"ext:txt", "legacy", "words ext:txt"}) {
    auto q = query::Parse(text);
    ASSERT_TRUE(q.ok());
    auto got = (*cat)->Search(*q, 10, 0);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    ASSERT_EQ(got->hits.size(), 1u) << text;
    EXPECT_EQ(got->hits[0].document.path, "/old/readme.txt");
  }
  DocumentWrite w = Doc("/old/new.txt", 3);
  w.text = "legacy again";
  ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
  auto q = query::Parse("legacy");
  ASSERT_TRUE(q.ok());
  auto got = (*cat)->Search(*q, 10, 0);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->total, 2u);
}

// A version 4 store (sha256 index on the digest alone, no documents_path_page) migrates to the
// covering indexes on open, and its cheap lookups then read their pages from an index alone,
// with the same answers as before the migration.
TEST(SqliteCatalog, MigratesVersion4StoresToCoveringLookupIndexes) {
  testing::TempDir dir;
  const std::string digest(64, 'a');
  const std::string other(64, 'b');
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok());
    std::vector<DocumentWrite> writes;
    for (const char* path : {"/v4/b.txt", "/v4/a.txt", "/v4/sub/c.txt", "/v4-old/d.txt"}) {
      DocumentWrite w = Doc(path, 10, 7);
      w.document.sha256 = std::string(path) == "/v4/sub/c.txt" ? other : digest;
      w.document.mime = "text/plain";
      writes.push_back(std::move(w));
    }
    ASSERT_TRUE((*cat)->Commit(writes, {}).ok());
  }
  const char* kIndexes =
      "SELECT name || ':' || sql FROM sqlite_master WHERE name IN ('documents_sha256', "
      "'documents_path_page') ORDER BY name";
  const std::string current = CatalogColumn0(dir.path(), kIndexes);
  EXPECT_EQ(current,
            "documents_path_page:CREATE INDEX documents_path_page ON documents(path, size, "
            "mtime_ns, mime),documents_sha256:CREATE INDEX documents_sha256 ON "
            "documents(sha256, path, size, mtime_ns, mime)");
  {
    // Back to exactly what version 4 wrote.
    sqlite3* db = OpenRaw(dir.path());
    ASSERT_EQ(sqlite3_exec(db, kBackToVersion6, nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX documents_path_page; DROP INDEX documents_sha256; "
                           "CREATE INDEX documents_sha256 ON documents(sha256); "
                           "DROP TABLE quarantine; PRAGMA user_version=4",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(CatalogColumn0(dir.path(), kIndexes),
            "documents_sha256:CREATE INDEX documents_sha256 ON documents(sha256)");

  auto search = [](Catalog& cat, const std::string& text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok()) << text;
    auto got = cat.Search(*q, 10, 0);
    EXPECT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    std::string out = std::to_string(got.ok() ? got->total : 0) + ":";
    if (got.ok()) {
      for (const auto& hit : got->hits) {
        out += " " + hit.document.path + "/" + std::to_string(hit.document.size) + "/" +
               std::to_string(hit.document.mtime_ns) + "/" + hit.document.mime;
      }
    }
    return out;
  };
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(CatalogColumn0(dir.path(), "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(CatalogColumn0(dir.path(), kIndexes), current);
  EXPECT_EQ(search(**cat, "path:/v4"),
            "3: /v4/a.txt/10/7/text/plain /v4/b.txt/10/7/text/plain /v4/sub/c.txt/10/7/text/plain");
  EXPECT_EQ(search(**cat, "sha256:" + digest),
            "3: /v4-old/d.txt/10/7/text/plain /v4/a.txt/10/7/text/plain /v4/b.txt/10/7/text/plain");
  EXPECT_EQ(search(**cat, "sha256:" + other), "1: /v4/sub/c.txt/10/7/text/plain");

  // The page statements the catalog runs for these lookups touch no table row.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "catalog.db").c_str(), &db), SQLITE_OK);
  auto explain = [&](const std::string& sql) {
    std::string out;
    sqlite3_exec(
        db, ("EXPLAIN QUERY PLAN " + sql).c_str(),
        [](void* acc, int columns, char** values, char**) {
          *static_cast<std::string*>(acc) += values[columns - 1] ? values[columns - 1] : "";
          return 0;
        },
        &out, nullptr);
    return out;
  };
  auto path_query = query::Parse("path:/v4");
  ASSERT_TRUE(path_query.ok());
  auto compiled = Compile(*path_query, 10, 0);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(explain(compiled->sql),
            "SEARCH d USING COVERING INDEX documents_path_page (path>? AND path<?)");
  // SearchSha256's statement (exact_lookups.cc).
  EXPECT_EQ(explain("SELECT id, path, size, mtime_ns, mime FROM documents WHERE sha256 = ?1"),
            "SEARCH documents USING COVERING INDEX documents_sha256 (sha256=?)");
  sqlite3_close(db);
}

// A version 5 store (no quarantine table) migrates on open: its documents stay, its quarantine is
// empty, and entries added after the migration are kept across a reopen.
TEST(SqliteCatalog, MigratesVersion5StoresToAnEmptyQuarantine) {
  testing::TempDir dir;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok());
    DocumentWrite w = Doc("/v5/kept.txt", 5);
    w.text = "fifth version";
    ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
  }
  const char* kTable = "SELECT name FROM sqlite_master WHERE name = 'quarantine'";
  EXPECT_EQ(CatalogColumn0(dir.path(), kTable), "quarantine");
  {
    // Back to exactly what version 5 wrote.
    sqlite3* db = OpenRaw(dir.path());
    ASSERT_EQ(sqlite3_exec(db, kBackToVersion6, nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "DROP TABLE quarantine; PRAGMA user_version=5", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(CatalogColumn0(dir.path(), kTable), "");

  QuarantineEntry entry;
  entry.sha256 = std::string(64, '5');
  entry.plugin = "pdf";
  entry.plugin_version = "1.0";
  entry.reason = "crashed: SIGABRT";
  entry.path = "/v5/kept.txt";
  entry.at_ns = 55;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    EXPECT_EQ(CatalogColumn0(dir.path(), "PRAGMA user_version"), std::to_string(kSchemaVersion));
    EXPECT_EQ(CatalogColumn0(dir.path(), kTable), "quarantine");
    auto found = (*cat)->Find("/v5/kept.txt");
    ASSERT_TRUE(found.ok() && found->has_value());
    auto listed = (*cat)->ListQuarantine();
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    EXPECT_TRUE(listed->empty());
    ASSERT_TRUE((*cat)->AddQuarantine(entry).ok());
  }
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  auto listed = (*cat)->ListQuarantine();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const QuarantineEntry& got = listed->front();
  EXPECT_EQ(got.sha256 + " " + got.plugin + "@" + got.plugin_version + " " + got.reason + " " +
                got.path + " " + std::to_string(got.at_ns),
            entry.sha256 + " pdf@1.0 crashed: SIGABRT /v5/kept.txt 55");
  auto q = query::Parse("fifth");
  ASSERT_TRUE(q.ok());
  auto hits = (*cat)->Search(*q, 10, 0);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->total, 1u);
}

// A store exactly as schema version 6 wrote it (FTS5's unicode61 tokenizer; no metadata words),
// built here with that version's SQL and without the catalog's tokenizer, migrates on open: the
// text index is rebuilt from its stored text with the folding, CJK-aware tokenizer (with a log
// line before and after), the metadata words are built from the findings already cataloged, and
// every query works on the old documents as on new ones.
TEST(SqliteCatalog, MigratesVersion6StoresByRebuildingTheTextIndex) {
  testing::TempDir dir;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "catalog.db").c_str(), &db), SQLITE_OK);
    const char* kVersion6 =
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
        "  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ingested_at_ns INTEGER NOT NULL,"
        "  parent TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',"
        "  ext TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '',"
        "  mime TEXT NOT NULL DEFAULT '', analyzers TEXT NOT NULL DEFAULT '',"
        "  signature TEXT NOT NULL DEFAULT '');"
        "CREATE INDEX documents_parent ON documents(parent) WHERE parent != '';"
        "CREATE TABLE findings (document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE "
        "  CASCADE, plugin TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);"
        "CREATE INDEX findings_document ON findings(document_id);"
        "CREATE INDEX findings_lookup ON findings(plugin, key, value);"
        "CREATE VIRTUAL TABLE texts USING fts5(path, body, tokenize = 'unicode61 "
        "  remove_diacritics 2');"
        "CREATE TRIGGER documents_delete_text AFTER DELETE ON documents BEGIN"
        "  DELETE FROM texts WHERE rowid = old.id;"
        "END;"
        "CREATE INDEX documents_ext ON documents(ext, path);"
        "CREATE TABLE catalog_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
        "INSERT INTO catalog_state VALUES ('text_generation', 5);"
        "CREATE INDEX documents_sha256 ON documents(sha256, path, size, mtime_ns, mime);"
        "CREATE INDEX documents_path_page ON documents(path, size, mtime_ns, mime);"
        "CREATE TABLE quarantine (sha256 TEXT NOT NULL, plugin TEXT NOT NULL,"
        "  plugin_version TEXT NOT NULL, reason TEXT NOT NULL, path TEXT NOT NULL,"
        "  at_ns INTEGER NOT NULL, PRIMARY KEY (sha256, plugin, plugin_version)) WITHOUT ROWID;"
        "INSERT INTO documents(id, path, size, mtime_ns, ingested_at_ns, name, ext) VALUES"
        "  (1, '/old/de.txt', 10, 1, 1, 'de.txt', 'txt'),"
        "  (2, '/old/ja.txt', 10, 1, 1, 'ja.txt', 'txt'),"
        "  (3, '/old/report.pdf', 10, 1, 1, 'report.pdf', 'pdf'),"
        "  (4, '/old/empty.bin', 10, 1, 1, 'empty.bin', 'bin');"
        "INSERT INTO texts(rowid, path, body) VALUES"
        "  (1, '/old/de.txt', 'Die Straße in München'),"
        "  (2, '/old/ja.txt', '私は東京都に住んでいます'),"
        "  (3, '/old/report.pdf', 'numbers');"
        "INSERT INTO findings(document_id, plugin, key, value) VALUES"
        "  (3, 'pdf', 'title', 'Quarterly Report'), (3, 'pdf', 'author', 'Jane Doe'),"
        "  (3, 'pdf', 'author', 'Jürgen Müller'), (3, 'pdf', 'pages', '12'),"
        "  (3, 'pdf', 'created', '2024-03-01'), (3, 'hash', 'sha256', 'ab'),"
        "  (1, 'text', 'charset', 'utf-8');"
        "PRAGMA user_version=6;";
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, kVersion6, nullptr, nullptr, &error), SQLITE_OK) << error;
    sqlite3_close(db);
  }
  // unicode61 folds neither ß nor CJK words: what the migration changes.
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT count(*) FROM texts WHERE texts MATCH 'strasse'"),
            "0");
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT count(*) FROM texts WHERE texts MATCH '東京'"), "0");

  std::ostringstream log;
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "migration", std::make_shared<spdlog::sinks::ostream_sink_st>(log)));
  auto cat = OpenSqliteCatalog(dir.path());
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_NE(log.str().find("from schema 6 to 7: rebuilding the full-text index of 4 documents"),
            std::string::npos)
      << log.str();
  EXPECT_NE(log.str().find("is at schema 7; full-text index rebuilt in"), std::string::npos)
      << log.str();

  EXPECT_EQ(CatalogColumn0(dir.path(), "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_NE(CatalogColumn0(dir.path(), "SELECT sql FROM sqlite_master WHERE name = 'texts'")
                .find("tokenize = 'archivum'"),
            std::string::npos);
  EXPECT_EQ(CatalogColumn0(dir.path(), "SELECT value FROM catalog_state"), "6");
  EXPECT_EQ(
      CatalogColumn0(dir.path(), "SELECT name FROM sqlite_master WHERE name LIKE 'texts_v6%'"), "");

  auto search = [&](const std::string& text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok()) << text;
    auto got = (*cat)->Search(*q, 10, 0);
    EXPECT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    std::set<std::string> out;
    if (got.ok()) {
      for (const auto& hit : got->hits) out.insert(hit.document.path);
    }
    return out;
  };
  using Set = std::set<std::string>;
  EXPECT_EQ(search("strasse"), Set{"/old/de.txt"});
  EXPECT_EQ(search("MUNCHEN"), Set{"/old/de.txt"});
  EXPECT_EQ(search("東京"), Set{"/old/ja.txt"});
  EXPECT_EQ(search("numbers"), Set{"/old/report.pdf"});
  EXPECT_EQ(search("author:muller"), Set{"/old/report.pdf"});
  EXPECT_EQ(search("title:\"quarterly report\""), Set{"/old/report.pdf"});
  EXPECT_EQ(search("pages>10"), Set{"/old/report.pdf"});
  EXPECT_EQ(search("created:2024-03-01"), Set{"/old/report.pdf"});
  EXPECT_EQ(search("ext:bin"), Set{"/old/empty.bin"});
  auto q = query::Parse("munchen");
  ASSERT_TRUE(q.ok());
  auto got = (*cat)->Search(*q, 10, 0);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->hits.size(), 1u);
  EXPECT_EQ(got->hits[0].snippet, "Die Straße in [München]");
  q = query::Parse("author:doe");
  ASSERT_TRUE(q.ok());
  got = (*cat)->Search(*q, 10, 0);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->hits.size(), 1u);
  EXPECT_EQ(got->hits[0].metadata.size(), 5u);

  // Old documents are replaced and removed as new ones are.
  DocumentWrite w = Doc("/old/report.pdf", 3);
  w.text = "rewritten";
  ASSERT_TRUE((*cat)->Commit({w}, {"/old/de.txt"}).ok());
  EXPECT_EQ(search("author:doe"), Set{});
  EXPECT_EQ(search("strasse"), Set{});
  EXPECT_EQ(search("rewritten"), Set{"/old/report.pdf"});
}

// Previews and marked text parts (ABI 1.4) are written with their document, replaced by the next
// analysis, and removed with it.
TEST(SqliteCatalog, KeepsPreviewsAndMarkedTextPartsWithTheirDocument) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  DocumentWrite w = Doc("/photos/scan.png", 10);
  w.text = "caption é then recognized words";
  const uint64_t ocr_at = w.text.find("recognized");
  w.text_parts = {{"ocr", "ocr", ocr_at, w.text.size() - ocr_at}};
  const std::string png("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);  // binary, with NULs
  w.preview = Preview{"image", "image/png", png};
  ASSERT_TRUE((*cat)->Commit({w}, {}).ok());

  auto preview = (*cat)->GetPreview("/photos/scan.png");
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  ASSERT_TRUE(preview->has_value());
  EXPECT_EQ((*preview)->plugin, "image");
  EXPECT_EQ((*preview)->mime, "image/png");
  EXPECT_EQ((*preview)->bytes, png);
  auto detail = (*cat)->Get("/photos/scan.png");
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_TRUE((*detail)->has_preview);

  auto text = (*cat)->GetText("/photos/scan.png", 1 << 20);
  ASSERT_TRUE(text.ok() && text->has_value());
  EXPECT_EQ((*text)->text, w.text);
  EXPECT_EQ((*text)->total_size, w.text.size());
  ASSERT_EQ((*text)->parts.size(), 1u);
  EXPECT_EQ((*text)->parts[0], w.text_parts[0]);

  // Cut inside "é" (two bytes at 8 and 9): back to the character boundary; the part beyond the
  // cut is left out.
  text = (*cat)->GetText("/photos/scan.png", 9);
  ASSERT_TRUE(text.ok() && text->has_value());
  EXPECT_EQ((*text)->text, "caption ");
  EXPECT_TRUE((*text)->parts.empty());
  // Cut inside the part: clipped to what is returned.
  text = (*cat)->GetText("/photos/scan.png", ocr_at + 4);
  ASSERT_TRUE(text.ok() && text->has_value());
  ASSERT_EQ((*text)->parts.size(), 1u);
  EXPECT_EQ((*text)->parts[0].size, 4u);

  EXPECT_FALSE((*cat)->GetPreview("/photos/other.png")->has_value());
  EXPECT_FALSE((*cat)->GetText("/photos/other.png", 10)->has_value());

  // Analyzed again without a preview or parts: both gone.
  DocumentWrite again = Doc("/photos/scan.png", 11);
  again.text = "plain";
  ASSERT_TRUE((*cat)->Commit({again}, {}).ok());
  EXPECT_FALSE((*cat)->GetPreview("/photos/scan.png")->has_value());
  EXPECT_TRUE((*(*cat)->GetText("/photos/scan.png", 100))->parts.empty());
  EXPECT_FALSE((**(*cat)->Get("/photos/scan.png")).has_preview);

  // Removed: with its preview.
  ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
  ASSERT_TRUE((*cat)->Commit({}, {"/photos/scan.png"}).ok());
  EXPECT_FALSE((*cat)->GetPreview("/photos/scan.png")->has_value());
  sqlite3* db = OpenRaw(dir.path());
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT (SELECT count(*) FROM previews) + "
                               "(SELECT count(*) FROM text_parts)",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// Watch mode's renames: documents move with their identity (findings, text, times), children
// and everything below a moved directory follow, and the old paths are gone.
TEST(SqliteCatalog, RenameMovesDocumentsKeepingWhatWasRecorded) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  DocumentWrite a = Doc("/r/a.txt", 5);
  a.document.name = "a.txt";
  a.document.ext = "txt";
  a.document.sha256 = std::string(64, 'a');
  a.text = "pelican harbour";
  a.findings.push_back({"hash", "sha256", std::string(64, 'a')});
  DocumentWrite member = Doc(ChildPath("/r/a.txt", "m.txt"), 2);
  member.document.parent = "/r/a.txt";
  member.document.name = "m.txt";
  member.text = "walrus";
  DocumentWrite x = Doc("/r/d/x.txt", 1);
  x.text = "narwhal";
  DocumentWrite y = Doc("/r/d/sub/y.txt", 1);
  DocumentWrite z = Doc("/r/d-other/z.txt", 1);
  ASSERT_TRUE((*cat)->Commit({a, member, x, y, z}, {}).ok());

  auto moved = (*cat)->Rename({"/r/a.txt", "/r/b.md", "b.md", "md"});
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 2u);  // the file and its member
  EXPECT_FALSE((*cat)->Find("/r/a.txt")->has_value());
  EXPECT_FALSE((*cat)->Find(ChildPath("/r/a.txt", "m.txt"))->has_value());
  auto b = (*cat)->Get("/r/b.md");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->document.name, "b.md");
  EXPECT_EQ((*b)->document.ext, "md");
  EXPECT_EQ((*b)->document.ingested_at_ns, 42);
  EXPECT_EQ((*b)->document.sha256, std::string(64, 'a'));
  ASSERT_EQ((*b)->findings.size(), 1u);
  EXPECT_EQ((*b)->findings[0].plugin, "hash");
  auto m = (*cat)->Find(ChildPath("/r/b.md", "m.txt"));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->parent, "/r/b.md");
  EXPECT_EQ((*m)->name, "m.txt");
  auto text = (*cat)->GetText("/r/b.md", 100);
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(text->has_value());
  EXPECT_EQ((*text)->text, "pelican harbour");
  auto paths_of = [&](const std::string& query) {
    std::vector<std::string> paths;
    auto q = query::Parse(query);
    EXPECT_TRUE(q.ok()) << query;
    if (!q.ok()) return paths;
    auto got = (*cat)->Search(*q, 10, 0);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return paths;
    for (const auto& h : got->hits) paths.push_back(h.document.path);
    return paths;
  };
  EXPECT_EQ(paths_of("pelican"), std::vector<std::string>{"/r/b.md"});
  EXPECT_EQ(paths_of("walrus"), std::vector<std::string>{ChildPath("/r/b.md", "m.txt")});
  // The path is indexed with the text: the new name is found (the member's path holds it too).
  EXPECT_EQ(paths_of("md"), (std::vector<std::string>{"/r/b.md", ChildPath("/r/b.md", "m.txt")}));
  EXPECT_EQ(paths_of("ext:md"), std::vector<std::string>{"/r/b.md"});

  // A directory: everything below it moves; a sibling sharing its prefix does not.
  moved = (*cat)->Rename({"/r/d", "/r/e", "e", ""});
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 2u);
  EXPECT_TRUE((*cat)->Find("/r/e/x.txt")->has_value());
  EXPECT_TRUE((*cat)->Find("/r/e/sub/y.txt")->has_value());
  EXPECT_FALSE((*cat)->Find("/r/d/x.txt")->has_value());
  EXPECT_TRUE((*cat)->Find("/r/d-other/z.txt")->has_value());
  EXPECT_EQ(paths_of("narwhal"), std::vector<std::string>{"/r/e/x.txt"});
  auto under = (*cat)->ListUnder("/r/d");
  ASSERT_TRUE(under.ok());
  EXPECT_TRUE(under->empty());
}

TEST(SqliteCatalog, RenameReplacesTheDestinationOnlyWhenSomethingMoves) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  DocumentWrite old_b = Doc("/r/b.txt", 7);
  old_b.text = "stale";
  ASSERT_TRUE((*cat)->Commit({Doc("/r/a.txt", 3), old_b}, {}).ok());

  // Nothing cataloged at the source (a file saved through a temporary name): the destination
  // stays as it is, for the ingest that follows to judge.
  auto moved = (*cat)->Rename({"/r/tmp123", "/r/b.txt", "b.txt", "txt"});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 0u);
  EXPECT_EQ((*cat)->Find("/r/b.txt")->value().size, 7u);

  moved = (*cat)->Rename({"/r/a.txt", "/r/b.txt", "b.txt", "txt"});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 1u);
  EXPECT_EQ((*cat)->Find("/r/b.txt")->value().size, 3u);
  EXPECT_FALSE((*cat)->Find("/r/a.txt")->has_value());
  auto q = query::Parse("stale");
  ASSERT_TRUE(q.ok());
  auto got = (*cat)->Search(*q, 10, 0);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->total, 0u);

  for (const RenameRequest& bad :
       {RenameRequest{"", "/r/x", "x", ""}, RenameRequest{"/r/b.txt", "/r/b.txt", "b.txt", "txt"},
        RenameRequest{"/r", "/r/inner", "inner", ""}}) {
    EXPECT_EQ((*cat)->Rename(bad).status().code(), StatusCode::kInvalidArgument) << bad.to;
  }
}

}  // namespace
}  // namespace archivum::store::sqlite
