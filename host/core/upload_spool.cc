#include "core/upload_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "plugins/utf8.h"

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
  if (!plugins::IsValidUtf8(name)) return InvalidArgument("upload header: name is not valid UTF-8");
  return Status::Ok();
}

}  // namespace

UploadSpool::~UploadSpool() {
  if (!file_.empty()) ::unlink(file_.c_str());
}

StatusOr<SpooledUpload> UploadSpool::Receive(UploadReader& reader, uint64_t max_bytes,
                                             const CallContext& ctx) {
  SpooledUpload up;
  api::UploadChunk chunk;
  if (!reader.Next(&chunk)) {
    ARCHIVUM_RETURN_IF_ERROR(reader.error());
    return InvalidArgument("upload stream is empty; send a header first");
  }
  if (chunk.part_case() != api::UploadChunk::kHeader) {
    return InvalidArgument("the first upload message must carry the header (name, size)");
  }
  up.header = chunk.header();
  ARCHIVUM_RETURN_IF_ERROR(ValidateName(up.header.name()));
  if (up.header.size() > max_bytes) {
    return ResourceExhausted("upload declares " + std::to_string(up.header.size()) +
                             " bytes, over the limit of " + std::to_string(max_bytes));
  }

  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::string tmpl = (dir_ / "upload-XXXXXX").string();
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0)
    return Internal("cannot create upload spool in " + dir_.string() + ": " + std::strerror(errno));
  file_ = tmpl;
  up.file = tmpl;
  Status st;
  while (st.ok() && reader.Next(&chunk)) {
    if (ctx.IsCancelled()) {
      st = Cancelled("upload cancelled by the client");
      break;
    }
    if (chunk.part_case() != api::UploadChunk::kData) {
      st = InvalidArgument("upload message " + std::string("after the header must carry data"));
      break;
    }
    const std::string& data = chunk.data();
    if (up.size + data.size() > max_bytes) {
      st = ResourceExhausted("upload is larger than the limit of " + std::to_string(max_bytes) +
                             " bytes (ingest.max_file_size)");
      break;
    }
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = Internal(std::string("writing the upload spool: ") + std::strerror(errno));
        break;
      }
      off += static_cast<size_t>(n);
    }
    up.size += data.size();
  }
  ::close(fd);
  if (st.ok()) st = reader.error();  // a malformed message ended the stream early
  if (!st.ok()) return st;
  if (ctx.IsCancelled()) return Cancelled("upload cancelled by the client");
  if (up.header.size() != 0 && up.header.size() != up.size) {
    return InvalidArgument("upload declared " + std::to_string(up.header.size()) +
                           " bytes but sent " + std::to_string(up.size));
  }
  return up;
}

}  // namespace archivum::core
