// Returning free heap (os/heap_trimmer.h) as the daemon does it, on a lazily started
// CoalescingWorker: freed heap memory really goes back to the system, without the caller waiting.
#include "os/heap_trimmer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/coalescing_worker.h"

namespace archivum::os {
namespace {

TEST(HeapTrimmer, WithoutRequestsNothingRuns) {
  CoalescingWorker trimmer(ReleaseFreeHeap, /*lazy=*/true);
  EXPECT_EQ(trimmer.completed(), 0u);
}

TEST(HeapTrimmer, RequestsAreServedOnItsOwnThread) {
  CoalescingWorker trimmer(ReleaseFreeHeap, /*lazy=*/true);
  for (int i = 0; i < 100; ++i) trimmer.Request();  // never waits for a trim
  ASSERT_TRUE(trimmer.WaitUntilCompletedExceeds(0, std::chrono::seconds(60)));
  EXPECT_LE(trimmer.completed(), 100u);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
TEST(HeapTrimmer, FreedHeapLeavesTheResidentSet) {
  GTEST_SKIP() << "the sanitizer's allocator, not glibc's, serves this build";
}
#else
// VmRSS of this process in KiB.
uint64_t ResidentKiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

TEST(HeapTrimmer, FreedHeapLeavesTheResidentSet) {
  // As an ingest worker does: allocate on another thread (its own arena) and free most of it.
  // A block allocated last stays, so glibc cannot give the space back on its own (it only trims
  // the top of a heap): the 64 MiB stay resident until trimmed.
  constexpr size_t kBlock = 16 << 10;
  constexpr size_t kBlocks = 4096;  // 64 MiB
  void* pin = nullptr;
  std::thread worker([&] {
    std::vector<void*> blocks(kBlocks);
    for (void*& b : blocks) {
      b = std::malloc(kBlock);
      std::memset(b, 1, kBlock);
    }
    pin = std::malloc(64);
    for (void* b : blocks) std::free(b);
  });
  worker.join();
  const uint64_t before = ResidentKiB();

  CoalescingWorker trimmer(ReleaseFreeHeap, /*lazy=*/true);
  trimmer.Request();
  ASSERT_TRUE(trimmer.WaitUntilCompletedExceeds(0, std::chrono::seconds(60)));
  const uint64_t after = ResidentKiB();
  EXPECT_LT(after + 32 * 1024, before) << "resident before " << before << " KiB, after " << after;
  std::free(pin);
}
#endif

}  // namespace
}  // namespace archivum::os
