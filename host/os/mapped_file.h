// A regular file mapped read-only, for handing its bytes to analyzers without copying.
//
// Small files (up to kReadLimit bytes, most files of a source tree) are read into memory
// instead: for them, mapping, the page faults, unmapping and the TLB shootdowns an unmap costs in
// a multi-threaded process take far longer than copying a few KiB. Callers see no difference:
// bytes(), DropBehind() (a no-op there) and CheckUnchanged() behave the same (a file that shrank
// while it was read shows zeros past its new end and is reported as shrunk).
//
// Opening never blocks and never follows a final symlink (O_NONBLOCK | O_NOFOLLOW), and the
// type is checked on the descriptor, so a FIFO or device swapped in after the walk cannot hang
// or feed the pipeline. A file truncated while mapped does not crash the reader (see
// truncation_guard.h): the lost pages read as zeros and CheckUnchanged reports it. The mapping's
// pages are file-backed: DropBehind lets a reader that is done with a range give those pages
// back, so even a multi-GB file costs bounded memory.
//
// Thread safety: const methods may be used concurrently; the object is move-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::os {

class MappedFile {
 public:
  // Files of at most this many bytes are read rather than mapped.
  static constexpr uint64_t kReadLimit = uint64_t{64} << 10;

  // Errors: NOT_FOUND (vanished), PERMISSION_DENIED, FAILED_PRECONDITION (not a regular file),
  // RESOURCE_EXHAUSTED (larger than `max_size`), INTERNAL (mmap failed).
  static StatusOr<MappedFile> Open(const std::string& path, uint64_t max_size);
  // The same over a descriptor that is already open (read-only); takes ownership of `fd` (also on
  // failure). `path` names the file in messages and for CheckUnchanged.
  static StatusOr<MappedFile> FromDescriptor(int fd, const std::string& path, uint64_t max_size);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // The whole content; empty for an empty file. Valid while this object lives.
  std::string_view bytes() const {
    return {data_ != nullptr ? static_cast<const char*>(data_) : buffer_.get(), size_};
  }
  // Whether the content was read into memory (see kReadLimit) rather than mapped.
  bool is_read() const { return buffer_ != nullptr; }
  uint64_t size() const { return size_; }
  int64_t mtime_ns() const { return mtime_ns_; }
  // The open file (read-only), for handing it to another process. Valid while this object
  // lives; owned by it.
  int fd() const { return fd_; }

  // Hint: [offset, offset + length) will not be read again soon; its pages may leave memory.
  // Reading them again later is still correct (they are re-read from the file).
  void DropBehind(uint64_t offset, uint64_t length) const;
  // Drops every page of the mapping from memory (see DropBehind).
  void DropAll() const { DropBehind(0, size_); }

  // Whether the file still has the size and mtime it had when mapped (and no mapped page was
  // lost to truncation): a file rewritten while it was analyzed must not be recorded with stale
  // results. Errors: ABORTED (changed or shrank), NOT_FOUND (vanished).
  Status CheckUnchanged() const;

 private:
  MappedFile() = default;
  void Reset();

  int fd_ = -1;
  void* data_ = nullptr;            // the mapping, or null
  std::unique_ptr<char[]> buffer_;  // the content of a file that was read, or null
  bool read_short_ = false;         // the file ended before size_ bytes while it was read
  int guard_ = -1;                  // slot in the truncation guard, or kUnguarded
  uint64_t size_ = 0;
  int64_t mtime_ns_ = 0;
  std::string path_;
};

}  // namespace archivum::os
