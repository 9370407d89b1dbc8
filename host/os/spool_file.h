// A temporary file for bytes that arrive in pieces (an upload's chunks), so that memory stays
// bounded whatever their size. The file lives in a directory of the store and is removed when
// the object is destroyed, also when the bytes never arrived in full.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::os {

class SpoolFile {
 public:
  // Creates an empty file under `dir` (created if missing). Errors: INTERNAL naming `dir`.
  static StatusOr<std::unique_ptr<SpoolFile>> Create(const std::filesystem::path& dir);
  ~SpoolFile();  // closes and removes the file
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  // Appends `data`. Errors: INTERNAL with the OS's reason (e.g. the disk is full).
  Status Append(std::string_view data);

  // Where the bytes are, for reading them back (os::MappedFile).
  const std::string& path() const { return path_; }
  // Bytes appended so far.
  uint64_t size() const { return size_; }

 private:
  SpoolFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_;
  std::string path_;
  uint64_t size_ = 0;
};

}  // namespace archivum::os
