// OpenCatalog: store.backend picks the implementation, store.path where its data lives.
#include "store/open_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/daemon.h"

namespace archivum::store {
namespace {

TEST(OpenCatalogTest, TheDefaultBackendIsTheSqliteCatalogUnderTheStorePath) {
  testing::TempDir dir;
  config::Store store;
  ASSERT_EQ(store.backend, config::StoreBackend::kSqlite);
  store.path = dir.path() / "store";
  auto catalog = OpenCatalog(store);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ((*catalog)->Describe(), (dir.path() / "store" / "catalog.db").string());
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "store" / "catalog.db"));

  DocumentWrite w;
  w.document.path = "/a/b.txt";
  w.document.size = 3;
  ASSERT_TRUE((*catalog)->Commit({w}, {}).ok());
  auto found = (*catalog)->Find("/a/b.txt");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->size, 3u);
}

TEST(OpenCatalogTest, ReportsAStorePathItCannotUse) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "file", "not a directory");
  config::Store store;
  store.path = dir.path() / "file" / "store";
  auto catalog = OpenCatalog(store);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(catalog.status().message().find(store.path.string()), std::string::npos)
      << catalog.status().message();
}

}  // namespace
}  // namespace archivum::store
