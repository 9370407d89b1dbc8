#include "core/upload_receiver.h"

#include <string>

#include "common/utf8.h"

namespace archivum::core {
namespace {

Status ValidateName(const std::string& name) {
  if (name.empty()) return InvalidArgument("upload header: name is empty");
  if (name.size() > 1024) return InvalidArgument("upload header: name is longer than 1024 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("upload header: name contains a control character");
    }
  }
  // The name becomes a catalog path and protobuf strings: UTF-8 only (the HTTP gateway takes it
  // from a percent-decoded query parameter or a header, neither of which guarantees that).
  if (!IsValidUtf8(name)) return InvalidArgument("upload header: name is not valid UTF-8");
  return Status::Ok();
}

}  // namespace

StatusOr<ReceivedUpload> ReceiveUpload(UploadReader& reader, const std::filesystem::path& spool_dir,
                                       uint64_t max_bytes, const CallContext& ctx) {
  ReceivedUpload up;
  pb::UploadChunk chunk;
  if (!reader.Next(&chunk)) {
    ARCHIVUM_RETURN_IF_ERROR(reader.error());
    return InvalidArgument("upload stream is empty; send a header first");
  }
  if (chunk.part_case() != pb::UploadChunk::kHeader) {
    return InvalidArgument("the first upload message must carry the header (name, size)");
  }
  up.header = chunk.header();
  ARCHIVUM_RETURN_IF_ERROR(ValidateName(up.header.name()));
  if (up.header.size() > max_bytes) {
    return ResourceExhausted("upload declares " + std::to_string(up.header.size()) +
                             " bytes, over the limit of " + std::to_string(max_bytes));
  }
  auto spool = os::SpoolFile::Create(spool_dir);
  if (!spool.ok()) return spool.status();
  up.bytes = std::move(*spool);
  while (reader.Next(&chunk)) {
    if (ctx.IsCancelled()) return Cancelled("upload cancelled by the client");
    if (chunk.part_case() != pb::UploadChunk::kData) {
      return InvalidArgument("upload message after the header must carry data");
    }
    const std::string& data = chunk.data();
    if (up.bytes->size() + data.size() > max_bytes) {
      return ResourceExhausted("upload is larger than the limit of " + std::to_string(max_bytes) +
                               " bytes (ingest.max_file_size)");
    }
    ARCHIVUM_RETURN_IF_ERROR(up.bytes->Append(data));
  }
  ARCHIVUM_RETURN_IF_ERROR(reader.error());  // a malformed message ended the stream early
  if (ctx.IsCancelled()) return Cancelled("upload cancelled by the client");
  if (up.header.size() != 0 && up.header.size() != up.bytes->size()) {
    return InvalidArgument("upload declared " + std::to_string(up.header.size()) +
                           " bytes but sent " + std::to_string(up.bytes->size()));
  }
  return up;
}

}  // namespace archivum::core
