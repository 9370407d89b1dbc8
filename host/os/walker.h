// The file walk under an ingest path.
//
// Never follows symbolic links (a link's in-tree target is visited on its own; an out-of-tree
// one must not be read), never opens anything but regular files, and holds one directory
// descriptor at a time, so depth is bounded by memory, not by the descriptor limit.
//
// Names that are not valid UTF-8 are skipped (a directory with everything below it): protobuf
// strings and the catalog hold UTF-8 only. Entries whose path would reach PATH_MAX are errors
// (OUT_OF_RANGE), not attempts: nothing past that limit can be opened, mapped or reported by path.
//
// Thread safety: Walk is reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/status.h"

namespace archivum::os {

struct WalkEntry {
  enum class Kind {
    kFile,     // a regular file, openable for reading; size and mtime_ns are set
    kSkipped,  // not a regular file (symlink, FIFO, socket, device) or a name that is not
               // UTF-8; reason says which
    kError,    // could not be read; error says why (PERMISSION_DENIED, NOT_FOUND,
               // OUT_OF_RANGE for a path past PATH_MAX, ...)
  };
  // As on disk. Only kFile entries are guaranteed UTF-8; reporters escape the others
  // (EscapeInvalidUtf8).
  std::string path;
  Kind kind = Kind::kFile;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string reason;
  Status error;
};

// Visits `root` (an absolute, resolved path to a file or directory) and everything below it, in
// sorted order within each directory. `visit` returns false to stop the walk early.
// Returns an error only if `root` itself cannot be examined (or, when it is a regular file,
// opened: the error the entry would have carried).
Status Walk(const std::filesystem::path& root, const std::function<bool(const WalkEntry&)>& visit);

}  // namespace archivum::os
