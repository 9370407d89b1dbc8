// The Upload protocol: a header message (name, optional size), then the bytes in data messages.
// The bytes go to a spool file (os/spool_file.h), never to memory whole.
//
// Thread safety: ReceiveUpload is reentrant; one call reads one stream.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "aichemist_archivum.pb.h"
#include "common/call_context.h"
#include "common/status.h"
#include "core/file_manager.h"
#include "os/spool_file.h"

namespace archivum::core {

struct ReceivedUpload {
  pb::UploadHeader header;
  std::unique_ptr<os::SpoolFile> bytes;  // exactly the bytes sent; removed when destroyed
};

// Reads the whole stream from `reader` into a spool file under `spool_dir`. Errors:
// INVALID_ARGUMENT (no header first, empty or malformed name, a second header, a size differing
// from the declared one, a malformed message), RESOURCE_EXHAUSTED (over `max_bytes`, which names
// ingest.max_file_size), CANCELLED (the client went away), INTERNAL (spool I/O).
StatusOr<ReceivedUpload> ReceiveUpload(UploadReader& reader, const std::filesystem::path& spool_dir,
                                       uint64_t max_bytes, const CallContext& ctx);

}  // namespace archivum::core
