// os::SpoolFile: bytes appended in pieces land in one file under the spool directory (created if
// missing), and the file is gone once the object is.
#include "os/spool_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace archivum::os {
namespace {

namespace fs = std::filesystem;

std::string SpooledBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(SpoolFileTest, AppendedPiecesLandInOneFileThatLeavesWithTheObject) {
  archivum::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "store" / "spool";  // created on demand
  std::string path;
  {
    auto spool = SpoolFile::Create(dir);
    ASSERT_TRUE(spool.ok()) << spool.status().ToString();
    path = (*spool)->path();
    EXPECT_EQ(fs::path(path).parent_path(), dir);
    EXPECT_EQ((*spool)->size(), 0u);
    ASSERT_TRUE((*spool)->Append("hello ").ok());
    ASSERT_TRUE((*spool)->Append("").ok());
    ASSERT_TRUE((*spool)->Append("world").ok());
    EXPECT_EQ((*spool)->size(), 11u);
    EXPECT_EQ(SpooledBytes(path), "hello world");
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(SpoolFileTest, TwoSpoolsInOneDirectoryDoNotShareAFile) {
  archivum::testing::TempDir tmp;
  auto first = SpoolFile::Create(tmp.path());
  auto second = SpoolFile::Create(tmp.path());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE((*first)->path(), (*second)->path());
  ASSERT_TRUE((*first)->Append("one").ok());
  ASSERT_TRUE((*second)->Append("two").ok());
  EXPECT_EQ(SpooledBytes((*first)->path()), "one");
  EXPECT_EQ(SpooledBytes((*second)->path()), "two");
}

TEST(SpoolFileTest, ADirectoryThatCannotBeCreatedIsAnErrorNamingIt) {
  archivum::testing::TempDir tmp;
  const fs::path blocker = tmp.Write("file", "not a directory");
  auto spool = SpoolFile::Create(blocker / "spool");
  ASSERT_FALSE(spool.ok());
  EXPECT_EQ(spool.status().code(), StatusCode::kInternal);
  EXPECT_EQ(spool.status().message().rfind(
                "cannot create upload spool in " + (blocker / "spool").string() + ": ", 0),
            0u)
      << spool.status().message();
}

}  // namespace
}  // namespace archivum::os
