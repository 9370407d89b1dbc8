// os::Walk on hostile trees: names that are not UTF-8 are skipped with a reason (a directory
// with everything below it), and a path past PATH_MAX is one error entry, not a crash.
#include "os/walker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace archivum::os {
namespace {

using archivum::testing::TempDir;
using archivum::testing::WriteFile;

std::vector<WalkEntry> WalkAll(const std::filesystem::path& root, Status* status) {
  std::vector<WalkEntry> out;
  *status = Walk(root, [&](const WalkEntry& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

TEST(WalkerBadNamesTest, NamesThatAreNotUtf8AreSkippedWithAReason) {
  TempDir tmp;
  WriteFile(tmp.path() / "good.txt", "g");
  WriteFile(tmp.path() / "bad\xff.txt", "b");
  WriteFile(tmp.path() / "dir\xfe/below.txt", "never read");
  Status st;
  std::map<std::string, std::string> seen;
  for (const auto& e : WalkAll(tmp.path(), &st)) {
    seen[e.path.substr(tmp.path().string().size() + 1)] =
        e.kind == WalkEntry::Kind::kFile ? "file" : e.reason;
  }
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(seen, (std::map<std::string, std::string>{
                      {"bad\xff.txt", "name is not valid UTF-8"},
                      {"dir\xfe", "name is not valid UTF-8; nothing below it was read"},
                      {"good.txt", "file"}}));
}

TEST(WalkerBadNamesTest, PathsPastPathMaxAreOneErrorNotACrash) {
  TempDir tmp;
  // Long names reach PATH_MAX in few levels: 200-byte names, 25 levels = 5,000 bytes.
  const std::string name(200, 'n');
  int fd = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  int levels = 0;
  for (; levels < 25; ++levels) {
    ASSERT_EQ(::mkdirat(fd, name.c_str(), 0755), 0);
    const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = next;
    ASSERT_GE(fd, 0);
  }
  const int file = ::openat(fd, "deep.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(file, 0);
  ::close(file);
  ::close(fd);

  Status st;
  const auto entries = WalkAll(tmp.path(), &st);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, WalkEntry::Kind::kError);
  EXPECT_EQ(entries[0].error.code(), StatusCode::kOutOfRange);
  // The first entry no path can name: the 200-byte name that crosses the limit.
  EXPECT_GE(entries[0].path.size(), static_cast<size_t>(PATH_MAX));
  EXPECT_LT(entries[0].path.size(), static_cast<size_t>(PATH_MAX) + name.size() + 1);
  EXPECT_NE(entries[0].error.message().find("PATH_MAX"), std::string::npos);

  // Clean up bottom-up by descriptor: the lower levels have no usable path.
  fd = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int i = 0; i < levels; ++i) {
    const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = next;
  }
  ::unlinkat(fd, "deep.txt", 0);
  for (int i = 0; i < levels; ++i) {
    const int parent = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
    fd = parent;
  }
  ::close(fd);
}

}  // namespace
}  // namespace archivum::os
