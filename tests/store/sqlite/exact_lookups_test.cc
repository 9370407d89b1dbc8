// SqliteCatalog::Search for the exact lookups (a lone path: or sha256: filter): pages and totals
// checked against a plain reading of the documents table, including the catalog's own fast
// paths (path totals as two range counts, sha256 pages chosen in memory) and the per-connection
// cache of totals, which must follow every commit, this catalog's or another's on the store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace {

DocumentWrite Doc(std::string path, std::string sha256 = "") {
  DocumentWrite w;
  w.document.path = std::move(path);
  w.document.size = w.document.path.size();
  w.document.mtime_ns = static_cast<int64_t>(w.document.path.size()) * 1000;
  w.document.ingested_at_ns = 42;
  w.document.sha256 = std::move(sha256);
  w.document.mime = "text/plain";
  const auto slash = w.document.path.rfind('/');
  w.document.name = w.document.path.substr(slash + 1);
  const auto dot = w.document.name.rfind('.');
  if (dot != std::string::npos) w.document.ext = w.document.name.substr(dot + 1);
  w.text = "body";
  return w;
}

StatusOr<SearchResult> Ask(Catalog& cat, const std::string& text, uint32_t limit,
                           uint32_t offset = 0) {
  auto q = query::Parse(text);
  if (!q.ok()) return q.status();
  return cat.Search(*q, limit, offset);
}

std::vector<std::string> Paths(const SearchResult& r) {
  std::vector<std::string> out;
  for (const auto& h : r.hits) out.push_back(h.document.path);
  return out;
}

// Every path of the store with `sql`'s condition (one text parameter), in path order, read on a
// fresh connection.
std::vector<std::string> Reference(const std::filesystem::path& dir, const std::string& where,
                                   const std::vector<std::string>& params) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((dir / "catalog.db").c_str(), &db), SQLITE_OK);
  const std::string sql = "SELECT path FROM documents WHERE " + where + " ORDER BY path";
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  for (size_t i = 0; i < params.size(); ++i) {
    sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

// "DIR itself or below it", written independently of the catalog's range arithmetic.
std::vector<std::string> UnderReference(const std::filesystem::path& dir, const std::string& d) {
  if (d == "/") return Reference(dir, "substr(path, 1, 1) = '/'", {});
  return Reference(dir, "path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/'", {d});
}

// Checks every page size and offset of `query` against `want` (the whole answer in order).
void ExpectPages(Catalog& cat, const std::string& query, const std::vector<std::string>& want) {
  for (uint32_t limit : {1u, 2u, 3u, 7u, 1000u}) {
    std::vector<std::string> all;
    for (uint32_t offset = 0; offset < want.size() + 2; offset += limit) {
      auto got = Ask(cat, query, limit, offset);
      ASSERT_TRUE(got.ok()) << query << ": " << got.status().ToString();
      EXPECT_EQ(got->total, want.size()) << query << " limit " << limit << " offset " << offset;
      const std::vector<std::string> page = Paths(*got);
      EXPECT_LE(page.size(), limit);
      all.insert(all.end(), page.begin(), page.end());
    }
    EXPECT_EQ(all, want) << query << " limit " << limit;
  }
  // A page of nothing still counts.
  auto none = Ask(cat, query, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->total, want.size()) << query;
  EXPECT_TRUE(none->hits.empty());
}

// Paths around the range boundaries: siblings sharing a prefix ("/a-old", "/a0", "/ab"), a
// member path ("!/"), bytes above ASCII, and a file named like the directory.
std::vector<DocumentWrite> Tree() {
  std::vector<DocumentWrite> docs;
  for (const char* p :
       {"/a", "/a/x", "/a/y/z", "/a/y/z2", "/a/!/m", "/a/\xc3\xa9t\xc3\xa9", "/a-old/q", "/a0",
        "/ab", "/a.txt", "/b/a/x", "/a/zz", "/a/0", "/a//double", "/c/d/e/f"}) {
    docs.push_back(Doc(p));
  }
  return docs;
}

TEST(CatalogLookup, PathPagesAndTotalsAreTheDirectoryAndEverythingBelowIt) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit(Tree(), {}).ok());
  for (const std::string d : {"/a", "/a/y", "/a/y/z", "/b", "/c/d", "/", "/nothing", "/a0"}) {
    const auto want = UnderReference(dir.path(), d);
    ExpectPages(**cat, "path:" + d, want);
  }
  ASSERT_EQ(UnderReference(dir.path(), "/a").size(), 9u);  // the reference itself is sane
  ASSERT_EQ(UnderReference(dir.path(), "/").size(), 15u);

  // The hits carry the document's columns; unranked, the score is 0 and there is no snippet.
  for (const std::string q : {"path:/a/y", "path:/a/y ext:h OR path:/a/y/z"}) {
    auto page = Ask(**cat, q, 20);
    ASSERT_TRUE(page.ok()) << q;
    ASSERT_FALSE(page->hits.empty()) << q;
    for (const auto& h : page->hits) {
      EXPECT_EQ(h.document.size, h.document.path.size()) << h.document.path;
      EXPECT_EQ(h.document.mtime_ns, static_cast<int64_t>(h.document.path.size()) * 1000);
      EXPECT_EQ(h.document.mime, "text/plain");
      EXPECT_EQ(h.score, 0.0);
      EXPECT_EQ(h.snippet, "");
    }
  }
}

TEST(CatalogLookup, Sha256PagesAreInPathOrderWithExactTotals) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  const std::string same(64, 'a');
  const std::string other(64, 'b');
  // Written out of path order, and many of them: more than the in-memory page keeps at once.
  std::vector<DocumentWrite> docs;
  for (int i = 0; i < 300; ++i) {
    const int k = (i * 7919) % 300;
    docs.push_back(Doc("/dup/" + std::to_string(k) + ".h", same));
  }
  docs.push_back(Doc("/one/x.h", other));
  docs.push_back(Doc("/unhashed.h"));
  ASSERT_TRUE((*cat)->Commit(docs, {}).ok());

  const auto dups = Reference(dir.path(), "sha256 = ?1", {same});
  ASSERT_EQ(dups.size(), 300u);
  ExpectPages(**cat, "sha256:" + same, dups);
  ExpectPages(**cat, "sha256:" + other, {"/one/x.h"});
  ExpectPages(**cat, "sha256:" + std::string(64, 'c'), {});
  for (uint32_t offset : {0u, 5u, 150u, 297u, 299u, 300u, 100000u}) {
    auto got = Ask(**cat, "sha256:" + same, 3, offset);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->total, 300u);
    std::vector<std::string> want;
    for (size_t i = offset; i < std::min<size_t>(offset + 3, dups.size()); ++i) {
      want.push_back(dups[i]);
    }
    EXPECT_EQ(Paths(*got), want) << "offset " << offset;
  }
  // The hits carry the document's columns, as any unranked search does.
  auto one = Ask(**cat, "sha256:" + other, 20);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->hits.size(), 1u);
  EXPECT_EQ(one->hits[0].document.size, 8u);
  EXPECT_EQ(one->hits[0].document.mtime_ns, 8000);
  EXPECT_EQ(one->hits[0].document.mime, "text/plain");
  EXPECT_EQ(one->hits[0].score, 0.0);
  EXPECT_EQ(one->hits[0].snippet, "");
}

TEST(CatalogLookup, TotalsFollowEveryCommitOfThisOrAnotherCatalog) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit(Tree(), {}).ok());
  // Page of 1: the total needs a count (and is then remembered by the connection).
  auto total = [&](const std::string& query) -> uint64_t {
    auto got = Ask(**cat, query, 1);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? got->total : 0;
  };
  EXPECT_EQ(total("path:/a"), 9u);
  EXPECT_EQ(total("path:/a"), 9u);
  EXPECT_EQ(total("ext:txt OR path:/a"), 10u);  // the general count, remembered too

  ASSERT_TRUE((*cat)->Commit({Doc("/a/new"), Doc("/a/new2")}, {}).ok());
  EXPECT_EQ(total("path:/a"), 11u);
  EXPECT_EQ(total("ext:txt OR path:/a"), 12u);

  {
    auto other = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(
        (*other)->Commit({Doc("/a/from-elsewhere"), Doc("/a/from-elsewhere2")}, {"/a/x"}).ok());
  }
  EXPECT_EQ(total("path:/a"), 12u);
  ASSERT_TRUE(
      (*cat)->Commit({}, {"/a/new", "/a/new2", "/a/from-elsewhere", "/a/from-elsewhere2"}).ok());
  EXPECT_EQ(total("path:/a"), 8u);
  EXPECT_EQ(total("ext:txt OR path:/a"), 9u);
  EXPECT_EQ(UnderReference(dir.path(), "/a").size(), 8u);

  // A search too long to be remembered is counted every time.
  const std::string deep = "/a/" + std::string(1500, 'd');
  EXPECT_EQ(total("path:" + deep), 0u);
  ASSERT_TRUE((*cat)->Commit({Doc(deep + "/1"), Doc(deep + "/2")}, {}).ok());
  EXPECT_EQ(total("path:" + deep), 2u);
  ASSERT_TRUE((*cat)->Commit({}, {deep + "/1"}).ok());
  EXPECT_EQ(total("path:" + deep), 1u);
  ASSERT_TRUE((*cat)->Commit({}, {deep + "/2"}).ok());

  // Many different searches (offset 1: always counted): the remembered totals are bounded and
  // stay right past the bound.
  for (int i = 0; i < 600; ++i) {
    auto got = Ask(**cat, "path:/a/zz" + (i % 2 ? std::to_string(i) : std::string()), 1, 1);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->total, i % 2 ? 0u : 1u) << i;
  }
  EXPECT_EQ(total("path:/a"), 8u);
}

}  // namespace
}  // namespace archivum::store::sqlite
