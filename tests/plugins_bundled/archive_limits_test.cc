// The archive plugin under the host's limits: refused children, members over the size budget, and
// a 2.5 GiB member that must stream through in bounded memory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "plugins_bundled/archive_test_util.h"
#include "support/documents/archive_writer.h"

namespace archivum::bundled::archives::testing {
namespace {

using archivum::testing::ArchiveEntry;
using archivum::testing::ArchiveFormat;
using archivum::testing::MakeArchive;
using archivum::testing::MakeArchiveWithZeros;
using ::testing::ElementsAre;

constexpr uint64_t kHugeMember = (uint64_t{5} << 30) / 2;  // 2.5 GiB

// The huge-member tests are a suite of their own, so that ctest runs them in a process of their
// own (PER_SUITE) and the peak RSS they check is theirs.
// The ZIP with a 2.5 GiB member of zeros, then "after.txt"; built once per process (~12 MB).
const std::string& HugeZip() {
  static const std::string zip = MakeArchiveWithZeros(ArchiveFormat::kZip, "zeros.bin", kHugeMember,
                                                      {{"after.txt", "after\n"}});
  return zip;
}

long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // KiB on Linux
}

// The process's resident memory now (the peak above also counts the tests before this one).
long CurrentRssMiB() {
  long pages = 0;
  long resident = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return resident * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

TEST(ArchiveLimits, RefusedChildStopsTheWalk) {
  const std::string zip = MakeArchive(ArchiveFormat::kZip,
                                      {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}});
  RecordingSink sink;
  sink.max_children = 2;
  const Outcome out = Extract(zip, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;  // the host records its own limit
  EXPECT_THAT(Names(sink), ElementsAre("a", "b"));
  EXPECT_EQ(sink.refused_children, 1);  // no further member is offered once refused
  EXPECT_EQ(sink.findings.at("members"), "2");
}

TEST(ArchiveLimits, MemberOverTheBudgetIsDroppedAndLaterOnesStillCome) {
  for (ArchiveFormat format :
       {ArchiveFormat::kZip, ArchiveFormat::kTarGz, ArchiveFormat::kSevenZip}) {
    const std::string zip = MakeArchive(format, {{"small.txt", "small\n"},
                                                 {"big.txt", std::string(300000, 'b')},
                                                 {"later.txt", "later\n"}});
    RecordingSink sink;
    sink.max_child_bytes = 1000;
    const Outcome out = Extract(zip, sink);
    ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
    ASSERT_THAT(Names(sink), ElementsAre("small.txt", "big.txt", "later.txt"));
    EXPECT_FALSE(sink.children[0].dropped);
    EXPECT_TRUE(sink.children[1].dropped);
    EXPECT_EQ(sink.children[2].bytes, "later\n");
    EXPECT_EQ(sink.findings.at("members"), "2");  // the dropped one was not handed over
  }
}

// Counts what arrives without keeping it, checking that every byte is zero and that no write is
// larger than the plugin promises.
class CountingSink {
 public:
  CountingSink() {
    sink_.struct_size = sizeof(sink_);
    sink_.ctx = this;
    sink_.emit_finding = [](void* ctx, archivum_str key, archivum_str value) -> archivum_rc {
      static_cast<CountingSink*>(ctx)->findings.emplace_back(std::string(key.data, key.size),
                                                             std::string(value.data, value.size));
      return ARCHIVUM_OK;
    };
    sink_.emit_text = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_INVALID_ARGUMENT; };
    sink_.emit_tag = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_OK; };
    sink_.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      return ARCHIVUM_INVALID_ARGUMENT;  // members must be streamed
    };
    sink_.set_mime = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_INVALID_ARGUMENT; };
    sink_.log = [](void*, archivum_log_level, archivum_str) {};
    sink_.begin_child = [](void* ctx, archivum_str name) -> archivum_rc {
      auto* self = static_cast<CountingSink*>(ctx);
      self->names.emplace_back(name.data, name.size);
      self->sizes.push_back(0);
      return ARCHIVUM_OK;
    };
    sink_.write_child = [](void* ctx, archivum_bytes bytes) -> archivum_rc {
      auto* self = static_cast<CountingSink*>(ctx);
      static const std::string zeros(kMaxChildWrite, '\0');
      self->largest_write = std::max(self->largest_write, bytes.size);
      if (self->names.size() == 1 &&
          (bytes.size > zeros.size() || std::memcmp(bytes.data, zeros.data(), bytes.size) != 0)) {
        self->non_zero = true;
      }
      self->sizes.back() += bytes.size;
      if (++self->writes % 256 == 0)
        self->peak_rss_mib = std::max(self->peak_rss_mib, CurrentRssMiB());
      return ARCHIVUM_OK;
    };
    sink_.child_finding = [](void*, archivum_str, archivum_str) -> archivum_rc {
      return ARCHIVUM_OK;
    };
    sink_.child_tag = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_OK; };
    sink_.end_child = [](void*) -> archivum_rc { return ARCHIVUM_OK; };
  }
  CountingSink(const CountingSink&) = delete;
  CountingSink& operator=(const CountingSink&) = delete;
  const archivum_sink* get() const { return &sink_; }

  std::vector<std::string> names;
  std::vector<uint64_t> sizes;
  std::vector<std::pair<std::string, std::string>> findings;
  size_t largest_write = 0;
  bool non_zero = false;
  uint64_t writes = 0;
  long peak_rss_mib = 0;  // largest resident size seen while members arrived

 private:
  archivum_sink sink_{};
};

TEST(ArchiveHugeMember, StreamsThroughInBoundedMemory) {
  const std::string& zip = HugeZip();
  ASSERT_LT(zip.size(), size_t{16} << 20);
  TestFile file("huge.zip", zip);
  CountingSink counting;
  const long rss_before = CurrentRssMiB();
  const sdk::File f(file.get());
  sdk::Sink s(counting.get());
  ASSERT_EQ(ExtractMembers(f, s), ARCHIVUM_OK);
  ASSERT_THAT(counting.names, ElementsAre("zeros.bin", "after.txt"));
  EXPECT_EQ(counting.sizes[0], kHugeMember);
  EXPECT_EQ(counting.sizes[1], 6u);
  EXPECT_FALSE(counting.non_zero);
  EXPECT_LE(counting.largest_write, kMaxChildWrite);
  // While the member streamed through, resident memory grew by a few blocks at most; and the
  // process's peak, all tests so far included, is nowhere near the member's size.
  EXPECT_GT(counting.peak_rss_mib, 0);
  EXPECT_LT(counting.peak_rss_mib - rss_before, 64)
      << "from " << rss_before << " MiB to " << counting.peak_rss_mib << " MiB";
  EXPECT_LT(PeakRssMiB(), 200) << "peak RSS " << PeakRssMiB() << " MiB";
}

TEST(ArchiveHugeMember, OverTheBudgetIsSkipped) {
  RecordingSink sink;
  sink.max_child_bytes = 4 << 20;
  const TestFile file("huge.zip", HugeZip());
  const Outcome out = Extract(file, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_THAT(Names(sink), ElementsAre("zeros.bin", "after.txt"));
  EXPECT_TRUE(sink.children[0].dropped);
  EXPECT_EQ(sink.children[1].bytes, "after\n");
  // The plugin polls cancellation once per block it reads: after the refusal it read no more
  // of the member (thousands of blocks) but skipped it.
  EXPECT_LT(file.cancel_checks(), 100);
  EXPECT_LT(PeakRssMiB(), 200) << "peak RSS " << PeakRssMiB() << " MiB";
}

}  // namespace
}  // namespace archivum::bundled::archives::testing
