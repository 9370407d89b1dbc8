// os/truncation_guard.h: a read from a guarded mapping whose file shrank sees zeros and marks
// the range truncated, instead of killing the process with SIGBUS; a SIGBUS anywhere else still
// terminates it.
#include "os/truncation_guard.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "os/mapped_file.h"
#include "support/temp_dir.h"

namespace archivum::os {
namespace {

using archivum::testing::TempDir;
using archivum::testing::WriteFile;

class TruncationGuardTest : public ::testing::Test {
 protected:
  static constexpr size_t kSize = 256 * 1024;
  void SetUp() override {
    path_ = (tmp_.path() / "data.bin").string();
    WriteFile(path_, std::string(kSize, 'x'));
  }
  TempDir tmp_;
  std::string path_;
};

TEST_F(TruncationGuardTest, AReadPastTheNewEndOfAGuardedMappingSeesZerosAndIsReported) {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  void* data = ::mmap(nullptr, kSize, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(data, MAP_FAILED);
  const int slot = RegisterMapping(data, kSize);
  ASSERT_NE(slot, kUnguarded);
  const auto* bytes = static_cast<volatile const char*>(data);
  const char last_before = bytes[kSize - 1];
  EXPECT_EQ(last_before, 'x');
  EXPECT_FALSE(MappingTruncated(slot));

  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  const char first_after = bytes[0];
  const char last_after = bytes[kSize - 1];
  EXPECT_EQ(first_after, 'x') << "pages before the new end are intact";
  EXPECT_EQ(last_after, '\0') << "a page past the new end reads as zeros";
  EXPECT_TRUE(MappingTruncated(slot));

  UnregisterMapping(slot);
  UnregisterMapping(kUnguarded);  // ignored
  ::munmap(data, kSize);
  ::close(fd);
}

TEST_F(TruncationGuardTest, ASigbusOutsideGuardedMappingsStillTerminates) {
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
