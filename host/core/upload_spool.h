// Receives an upload's bytes into an anonymous temporary file, so that memory stays bounded
// whatever the upload's size; the file disappears when the spool is destroyed.
//
// Thread safety: one thread at a time.
#pragma once

#include <filesystem>
#include <string>

#include "aichemist_archivum.pb.h"
#include "common/status.h"
#include "core/file_service.h"

namespace archivum::core {

struct SpooledUpload {
  api::UploadHeader header;
  std::string file;  // path of the spooled bytes (unlinked by ~UploadSpool)
  uint64_t size = 0;
};

class UploadSpool {
 public:
  explicit UploadSpool(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~UploadSpool();
  UploadSpool(const UploadSpool&) = delete;
  UploadSpool& operator=(const UploadSpool&) = delete;

  // Reads the whole stream. Errors: INVALID_ARGUMENT (no header first, empty or malformed name,
  // a second header, size differing from the declared one), RESOURCE_EXHAUSTED (over
  // `max_bytes`), CANCELLED (the client went away), INTERNAL (spool I/O).
  StatusOr<SpooledUpload> Receive(UploadReader& reader, uint64_t max_bytes, const CallContext& ctx);

 private:
  std::filesystem::path dir_;
  std::string file_;
};

}  // namespace archivum::core
