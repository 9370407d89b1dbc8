// Ingest confinement: which paths a client may make the daemon read.
//
// Thread safety: immutable after construction; safe for concurrent use.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace archivum::os {

class Roots {
 public:
  // `roots` as configured (absolute, "~" already expanded). Roots that do not exist are kept
  // lexically so that creating them later needs no restart.
  explicit Roots(std::vector<std::filesystem::path> roots);

  // Resolves a client-supplied path (realpath: symlinks and ".." resolved) and checks it lies
  // under a root. Errors: INVALID_ARGUMENT (empty or relative path, a symlink loop, a resolved
  // path that is not valid UTF-8), NOT_FOUND (does not exist), PERMISSION_DENIED (outside every
  // root, naming the roots; every path when there are no roots; or a directory on the way is not
  // searchable). A path that cannot be resolved and does not even lexically lie under a root is
  // PERMISSION_DENIED, not NOT_FOUND, so that clients cannot probe what exists outside the roots.
  // Messages show invalid UTF-8 in `requested` escaped (see EscapeInvalidUtf8).
  StatusOr<std::filesystem::path> Resolve(const std::string& requested) const;

  // Whether an already resolved absolute path lies under a root.
  bool Contains(const std::filesystem::path& resolved) const;

  // "[/a, /b]" for messages.
  std::string Describe() const;

 private:
  // Whether `requested`, lexically normalized, lies under a root as resolved or as configured.
  bool LexicallyContains(const std::filesystem::path& requested) const;

  std::vector<std::filesystem::path> roots_;       // resolved where possible
  std::vector<std::filesystem::path> configured_;  // as configured, lexically normalized
};

}  // namespace archivum::os
