// The file walk under an ingest path.
//
// Never follows symbolic links (a link's in-tree target is visited on its own; an out-of-tree
// one must not be read), never opens anything but regular files, and holds one directory
// descriptor at a time, so depth is bounded by memory, not by the descriptor limit.
//
// Thread safety: Walk is reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/status.h"

namespace archivum::core {

struct WalkEntry {
  enum class Kind {
    kFile,     // a regular file, openable for reading; size and mtime_ns are set
    kSkipped,  // not a regular file (symlink, FIFO, socket, device); reason says which
    kError,    // could not be read; error says why (PERMISSION_DENIED, NOT_FOUND, ...)
  };
  std::string path;
  Kind kind = Kind::kFile;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string reason;
  Status error;
};

// Visits `root` (an absolute, resolved path to a file or directory) and everything below it, in
// sorted order within each directory. `visit` returns false to stop the walk early.
// Returns an error only if `root` itself cannot be examined.
Status Walk(const std::filesystem::path& root, const std::function<bool(const WalkEntry&)>& visit);

}  // namespace archivum::core
