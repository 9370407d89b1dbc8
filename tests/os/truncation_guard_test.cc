// os/truncation_guard.h: a SIGBUS outside the guarded mappings still terminates the process.
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
