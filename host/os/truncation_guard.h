// Survives files that shrink while they are mapped.
//
// Reading a page of a file mapping that lies past the file's current end raises SIGBUS, so a file
// truncated by someone else while the daemon analyzes it would kill the daemon. Ranges registered
// here are protected: a SIGBUS inside one maps a page of zeros over the faulting page (the read
// then completes, seeing zeros) and marks the range as truncated, so the caller can discard what
// was computed from it. A SIGBUS anywhere else goes to the handler that was installed before
// (by default: the process terminates, as it would have without this guard).
//
// The process-wide SIGBUS handler is installed on the first registration. Up to kMaxGuarded
// ranges are protected at once (more than the daemon's workers ever map); past that,
// RegisterMapping returns kUnguarded and the range is simply not protected.
//
// Thread safety: all functions are safe to call concurrently; each slot is used by one owner.
#pragma once

#include <cstddef>

namespace archivum::os {

inline constexpr int kUnguarded = -1;
inline constexpr int kMaxGuarded = 256;

// Protects [data, data + size) (a read-only file mapping). Returns a slot for the calls below,
// or kUnguarded.
int RegisterMapping(const void* data, size_t size);

// Ends the protection; call before unmapping. kUnguarded is ignored.
void UnregisterMapping(int slot);

// Whether a page of the range faulted because the file had become shorter.
bool MappingTruncated(int slot);

}  // namespace archivum::os
