// Ingest confinement: which paths a client may make the daemon read.
//
// Thread safety: immutable after construction; safe for concurrent use.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace archivum::core {

class Roots {
 public:
  // `roots` as configured (absolute, "~" already expanded). Roots that do not exist are kept
  // lexically so that creating them later needs no restart.
  explicit Roots(std::vector<std::filesystem::path> roots);

  // Resolves a client-supplied path (realpath: symlinks and ".." resolved) and checks it lies
  // under a root. Errors: INVALID_ARGUMENT (empty or relative path), NOT_FOUND (does not exist),
  // PERMISSION_DENIED (outside every root, naming the roots; or a directory on the way is not
  // searchable).
  StatusOr<std::filesystem::path> Resolve(const std::string& requested) const;

  // Whether an already resolved absolute path lies under a root.
  bool Contains(const std::filesystem::path& resolved) const;

  // "[/a, /b]" for messages.
  std::string Describe() const;

 private:
  std::vector<std::filesystem::path> roots_;  // resolved where possible
};

}  // namespace archivum::core
