// Giving freed heap memory back to the system after large ingests.
//
// glibc keeps the memory a program frees in its arenas for reuse, and an ingest frees much: its
// batches, its queued results, its walk, its workers' arenas; an idle daemon would keep all of
// it resident until the next ingest. malloc_trim(0) returns that memory, but walks every arena,
// which takes milliseconds that no caller should wait for. So core::FileManagerImpl runs it on a
// lazily started CoalescingWorker (common/coalescing_worker.h) after a large ingest, never on the
// request's path. bench/run measures the idle resident set after an ingest.
#pragma once

namespace archivum::os {

// Returns the heap memory that is free back to the system (malloc_trim(0)); logs how long it
// took at debug level. Does nothing without glibc. Thread-safe (any thread, any time).
void ReleaseFreeHeap();

}  // namespace archivum::os
