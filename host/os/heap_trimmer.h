// Giving freed heap memory back to the system after large ingests.
//
// glibc keeps the memory a program frees in its arenas for reuse, and an ingest frees much: its
// batches, its queued results, its walk, its workers' arenas. After an ingest of /usr/include
// the idle daemon held 166 MB resident, 66 MB of it free heap, until the next ingest.
// malloc_trim(0) returns that memory, but walks every arena: ~12 ms after that ingest, and still
// ~1.5 ms after ingesting a single file, which a small ingest's caller should not wait for. So
// FileManagerImpl runs it on a lazily started CoalescingWorker (common/coalescing_worker.h)
// after a large ingest, never on the request's path.
#pragma once

namespace archivum::os {

// Returns the heap memory that is free back to the system (malloc_trim(0)); logs how long it
// took at debug level. Does nothing without glibc. Thread-safe (any thread, any time).
void ReleaseFreeHeap();

}  // namespace archivum::os
