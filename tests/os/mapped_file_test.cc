// os::MappedFile: files that shrink, grow or vanish while mapped are reported (and a shrunk
// mapping reads zeros instead of raising SIGBUS); small files are read rather than mapped and
// behave the same.
#include "os/mapped_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <numeric>
#include <string>
#include <string_view>
#include <utility>

#include "support/temp_dir.h"

namespace archivum::os {
namespace {

using archivum::testing::TempDir;
using archivum::testing::WriteFile;

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

}  // namespace
}  // namespace archivum::os
