// AnonymousFile: a temporary file without a name, for bytes that must not sit in memory (the
// streamed child documents of a container: a member of a 10 GiB tar). Created with O_TMPFILE in
// a directory of the store, so its bytes live on disk and in reclaimable page cache and vanish
// when the last descriptor closes, also after a crash; without a directory (or where the file
// system lacks O_TMPFILE) it is a memfd, i.e. in memory.
//
// Thread safety: one thread at a time; the descriptor may be shared (dup, SCM_RIGHTS) and read
// by others once the writer is done.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "os/unique_fd.h"

namespace archivum::os {

class AnonymousFile {
 public:
  static constexpr uint64_t kPageSize = 4096;

  // An empty file in `dir` (created if missing), or a memfd if `dir` is empty. Errors: INTERNAL
  // naming the directory and the OS's reason.
  static StatusOr<AnonymousFile> Create(const std::filesystem::path& dir);
  // Adopts an open descriptor of such a file (received from a worker); size() is its size.
  static StatusOr<AnonymousFile> Adopt(UniqueFd fd);

  AnonymousFile(AnonymousFile&&) = default;
  AnonymousFile& operator=(AnonymousFile&&) = default;

  // Appends `data` at size(). Errors: INTERNAL with the OS's reason (e.g. ENOSPC, EFBIG).
  Status Append(std::string_view data);
  // Moves the end up to the next multiple of kPageSize (a hole, no disk used), so that what is
  // appended next can be mapped on its own (mmap offsets are page-aligned).
  Status AlignEnd();
  // Cuts the file back to `size` bytes (<= size()): drops what a refused child had written.
  Status Truncate(uint64_t size);
  // Frees the disk and memory of [offset, offset + length) (a hole; reads give zeros): a child
  // already analyzed. Best effort: a file system without hole punching keeps the bytes.
  void Discard(uint64_t offset, uint64_t length) const;

  int fd() const { return fd_.get(); }
  uint64_t size() const { return size_; }

 private:
  AnonymousFile(UniqueFd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}

  UniqueFd fd_;
  uint64_t size_ = 0;
};

}  // namespace archivum::os
