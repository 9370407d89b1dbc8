// Returning free heap (os/heap_trimmer.h) as the daemon does it, on a lazily started
// CoalescingWorker: nothing runs until requested, and requests are served on the worker's own
// thread without the caller waiting. How much memory the allocator gives back is glibc's
// business; bench/run measures the daemon's idle RSS after an ingest.
#include "os/heap_trimmer.h"

#include <gtest/gtest.h>

#include <chrono>

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

}  // namespace
}  // namespace archivum::os
