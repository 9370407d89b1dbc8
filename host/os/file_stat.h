// What the daemon reads from struct stat in one place, so the walk and the mapped file agree on
// what a file's modification time is.
//
// Thread safety: pure functions.
#pragma once

#include <sys/stat.h>

#include <cstdint>

namespace archivum::os {

// The modification time in nanoseconds since the Unix epoch.
inline int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace archivum::os
