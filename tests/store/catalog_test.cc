// SqliteCatalog on a real database file in a temporary directory.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "store/sqlite_catalog.h"
#include "support/daemon.h"

namespace archivum::store {
namespace {

DocumentRecord Doc(std::string path, uint64_t size, int64_t mtime = 1) {
  DocumentRecord d;
  d.path = std::move(path);
  d.size = size;
  d.mtime_ns = mtime;
  d.ingested_at_ns = 42;
  return d;
}

TEST(SqliteCatalog, CommitFindAndReplace) {
  testing::TempDir dir;
  auto cat = SqliteCatalog::Open(dir.path() / "store");
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
  auto cat = SqliteCatalog::Open(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit({Doc("/data/a", 1), Doc("/data/sub/b", 1), Doc("/data-old/c", 1),
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

TEST(SqliteCatalog, SearchPathsEscapesLikeWildcards) {
  testing::TempDir dir;
  auto cat = SqliteCatalog::Open(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit({Doc("/x/100%_done.txt", 1), Doc("/x/100abc.txt", 1)}, {}).ok());
  auto r = (*cat)->SearchPaths({"100%_"}, 10, 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matches.size(), 1u);
  EXPECT_EQ(r->matches[0].document.path, "/x/100%_done.txt");
}

TEST(SqliteCatalog, SurvivesReopenAndRefusesNewerSchema) {
  testing::TempDir dir;
  {
    auto cat = SqliteCatalog::Open(dir.path());
    ASSERT_TRUE(cat.ok());
    ASSERT_TRUE((*cat)->Commit({Doc("/kept", 7)}, {}).ok());
  }
  {
    auto cat = SqliteCatalog::Open(dir.path());
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
  auto cat = SqliteCatalog::Open(dir.path());
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(cat.status().message().find("99"), std::string::npos);
}

}  // namespace
}  // namespace archivum::store
