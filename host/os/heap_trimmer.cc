#include "os/heap_trimmer.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace archivum::os {

void ReleaseFreeHeap() {
#ifdef __GLIBC__
  const auto start = std::chrono::steady_clock::now();
  ::malloc_trim(0);
  spdlog::debug("free heap returned to the system in {} us",
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count());
#endif
}

}  // namespace archivum::os
