// os::Roots: where path ingest is allowed. Empty roots refuse every path without looking at
// it; a missing path is NOT_FOUND only inside the roots (also when a root is configured through a
// symlink); messages show invalid UTF-8 escaped.
#include "os/roots.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/utf8.h"
#include "support/temp_dir.h"

namespace archivum::os {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;

TEST(RootsTest, EmptyRootsRefuseEveryPathWithoutLookingAtIt) {
  Roots none({});
  for (const std::string path : {"/", "/tmp", "/nonexistent/x"}) {
    auto r = none.Resolve(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << path;
    EXPECT_NE(r.status().message().find("the ingest roots are []"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("Upload"), std::string::npos) << r.status().message();
  }
  // Malformed requests are still told what is malformed.
  EXPECT_EQ(none.Resolve("relative").status().code(), StatusCode::kInvalidArgument);
}

TEST(RootsTest, MissingPathsAreNotFoundOnlyInsideTheRoots) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "real");
  fs::create_directory_symlink(tmp.path() / "real", tmp.path() / "alias");
  // Configured through a symlink: paths under the alias count as inside.
  Roots roots({tmp.path() / "alias"});
  EXPECT_EQ(roots.Resolve((tmp.path() / "alias/missing").string()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(roots.Resolve((tmp.path() / "real/missing").string()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(roots.Resolve((tmp.path() / "other/missing").string()).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(roots.Resolve((tmp.path() / "real/../../x").string()).status().code(),
            StatusCode::kPermissionDenied);
  auto ok = roots.Resolve((tmp.path() / "alias").string());
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*ok, tmp.path() / "real");
}

TEST(RootsTest, MessagesShowInvalidUtf8Escaped) {
  Roots roots({"/nonexistent-root"});
  auto r = roots.Resolve("/elsewhere/\xff");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsValidUtf8(r.status().message())) << r.status().message();
  EXPECT_NE(r.status().message().find("/elsewhere/\\xFF"), std::string::npos);
}

}  // namespace
}  // namespace archivum::os
