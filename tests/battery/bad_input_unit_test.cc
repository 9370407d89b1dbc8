// The host pieces behind the bad-input battery, in-process: the walker on names that are not
// UTF-8 and on paths past PATH_MAX, ingest roots (empty, symlinked, probing outside), mapped files
// that shrink, grow or vanish while read, the UTF-8 escaping used for display, and config text
// that once made the YAML loader loop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "config/config.h"
#include "os/mapped_file.h"
#include "os/roots.h"
#include "os/walker.h"
#include "support/daemon.h"

namespace archivum::os {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;
using archivum::testing::WriteFile;

std::vector<WalkEntry> WalkAll(const fs::path& root, Status* status) {
  std::vector<WalkEntry> out;
  *status = Walk(root, [&](const WalkEntry& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

TEST(EscapeInvalidUtf8Test, EscapesOnlyTheBytesThatAreNotUtf8) {
  EXPECT_EQ(EscapeInvalidUtf8("plain/ascii.txt"), "plain/ascii.txt");
  EXPECT_EQ(EscapeInvalidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(EscapeInvalidUtf8("a\xff\xfe"), "a\\xFF\\xFE");
  EXPECT_EQ(EscapeInvalidUtf8("\xc3\x28"), "\\xC3(");               // lead without continuation
  EXPECT_EQ(EscapeInvalidUtf8("\xe2\x82"), "\\xE2\\x82");           // truncated at the end
  EXPECT_EQ(EscapeInvalidUtf8("\xc0\xaf"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(EscapeInvalidUtf8("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_TRUE(IsValidUtf8(EscapeInvalidUtf8("\x80\x81 any \xf8 bytes")));
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

TEST(ConfigBadInputTest, AStrayCommaIsAnErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7's LoadAll never advances past it (found by tests/fuzz/fuzz_config).
  for (const std::string yaml : {",", "\n\n  ,x", "---\n,"}) {
    auto config = config::ParseConfig(yaml, "bad.yaml", "/");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find("expected a YAML document"), std::string::npos)
        << config.status().message();
  }
  EXPECT_EQ(config::ParseConfig(",", "bad.yaml", "/").status().message(),
            "bad.yaml:1:1: expected a YAML document, got a token YAML cannot start one with (a "
            "stray ',' or flow indicator?)");
}

class MappedFileChangesTest : public ::testing::Test {
 protected:
  static constexpr size_t kSize = 256 * 1024;
  void SetUp() override {
    path_ = (tmp_.path() / "data.bin").string();
    WriteFile(path_, std::string(kSize, 'x'));
  }
  static uint64_t Sum(std::string_view bytes) {
    return std::accumulate(bytes.begin(), bytes.end(), uint64_t{0},
                           [](uint64_t s, char c) { return s + static_cast<unsigned char>(c); });
  }
  TempDir tmp_;
  std::string path_;
};

TEST_F(MappedFileChangesTest, ShrinkingUnderTheReaderIsAbortedNotACrash) {
  auto mapped = MappedFile::Open(path_, kSize);
  ASSERT_TRUE(mapped.ok()) << mapped.status().message();
  EXPECT_EQ(Sum(mapped->bytes().substr(0, 4096)), 4096u * 'x');
  ASSERT_EQ(::truncate(path_.c_str(), 1000), 0);
  // Every page past the new end now reads as zeros instead of raising SIGBUS.
  EXPECT_EQ(Sum(mapped->bytes()), 1000u * 'x');
  const Status st = mapped->CheckUnchanged();
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_NE(st.message().find("shrank while it was analyzed"), std::string::npos) << st.message();
}

TEST_F(MappedFileChangesTest, GrowingOrVanishingIsReported) {
  auto mapped = MappedFile::Open(path_, kSize);
  ASSERT_TRUE(mapped.ok());
  {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "y", 1), 1);
    ::close(fd);
  }
  EXPECT_EQ(mapped->CheckUnchanged().code(), StatusCode::kAborted);

  auto again = MappedFile::Open(path_, kSize + 1);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  EXPECT_EQ(Sum(again->bytes()), kSize * 'x' + 'y') << "the unlinked file's data stays readable";
  EXPECT_EQ(again->CheckUnchanged().code(), StatusCode::kNotFound);
}

TEST(MappedFileSmall, SmallFilesAreReadAndReportChangesLikeMappings) {
  TempDir tmp;
  const std::string path = (tmp.path() / "small.txt").string();
  std::string content;
  for (int i = 0; content.size() < 5000; ++i) content += "line " + std::to_string(i) + "\n";
  WriteFile(path, content);
  auto small = MappedFile::Open(path, 1 << 20);
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_TRUE(small->is_read());
  EXPECT_EQ(small->bytes(), content);
  small->DropAll();  // nothing to drop; the content stays
  EXPECT_EQ(small->bytes(), content);
  EXPECT_TRUE(small->CheckUnchanged().ok());
  MappedFile moved = std::move(*small);
  EXPECT_EQ(moved.bytes(), content);
  EXPECT_TRUE(moved.CheckUnchanged().ok());
  ASSERT_EQ(::truncate(path.c_str(), 100), 0);
  EXPECT_EQ(moved.bytes(), content) << "a read file keeps what was read";
  EXPECT_EQ(moved.CheckUnchanged().code(), StatusCode::kAborted);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  EXPECT_EQ(moved.CheckUnchanged().code(), StatusCode::kNotFound);

  // The limit itself is read; one byte more is mapped. An empty file is neither.
  const std::string at_limit = (tmp.path() / "limit.bin").string();
  WriteFile(at_limit, std::string(MappedFile::kReadLimit, 'a'));
  auto a = MappedFile::Open(at_limit, 1 << 20);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_read());
  EXPECT_EQ(a->bytes(), std::string(MappedFile::kReadLimit, 'a'));
  const std::string past = (tmp.path() / "past.bin").string();
  WriteFile(past, std::string(MappedFile::kReadLimit + 1, 'b'));
  auto b = MappedFile::Open(past, 1 << 20);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->is_read());
  EXPECT_EQ(b->bytes(), std::string(MappedFile::kReadLimit + 1, 'b'));
  const std::string empty = (tmp.path() / "empty").string();
  WriteFile(empty, "");
  auto e = MappedFile::Open(empty, 1 << 20);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->is_read());
  EXPECT_TRUE(e->bytes().empty());
  EXPECT_TRUE(e->CheckUnchanged().ok());
}

TEST_F(MappedFileChangesTest, ASigbusOutsideGuardedMappingsStillTerminates) {
  // The guard's handler is installed by any MappedFile; faults elsewhere are not swallowed.
  auto mapped = MappedFile::Open(path_, kSize);
  ASSERT_TRUE(mapped.ok());
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(
      {
        const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
        auto* p = static_cast<volatile const char*>(
            ::mmap(nullptr, kSize, PROT_READ, MAP_PRIVATE, fd, 0));
        if (::ftruncate(fd, 0) != 0) std::_Exit(0);
        // The child dies without running destructors: remove its temporary directory first
        // (the mapping of the truncated, unlinked file still faults).
        std::error_code ec;
        std::filesystem::remove_all(tmp_.path(), ec);
        static_cast<void>(p[kSize - 1]);  // SIGBUS: this mapping is not guarded
        std::_Exit(0);                    // reaching this is the failure: exit 0 is no death
      },
      "");
}

}  // namespace
}  // namespace archivum::os
