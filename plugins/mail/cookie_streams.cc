#include "mail/cookie_streams.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "archivum/plugin.hpp"

namespace archivum::bundled::mail {
namespace {

constexpr size_t kPollInterval = size_t{1} << 20;

// The new position for fseek's (offset, whence) in a stream of `size` bytes at `position`, or
// -1 if it falls outside [0, size].
int64_t SeekTarget(int64_t offset, int whence, size_t position, size_t size) {
  int64_t base = 0;
  switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = static_cast<int64_t>(position); break;
    case SEEK_END: base = static_cast<int64_t>(size); break;
    default: return -1;
  }
  if (offset > static_cast<int64_t>(size) - base || offset < -base) return -1;
  return base + offset;
}

// `buffered`: reads go through stdio's buffer (GMime reads in small pieces; one cookie call per
// piece cost a tenth of a worker's time on mail), which stays correct because the bytes never
// change and stdio drops its buffer on every seek. Writes stay unbuffered, so that each reaches the
// host as GMime hands it over.
FILE* OpenCookie(void* cookie, const char* mode, cookie_io_functions_t functions, bool buffered) {
  FILE* file = fopencookie(cookie, mode, functions);
  if (file == nullptr) {
    throw sdk::Error(ARCHIVUM_ERROR, std::string("fopencookie failed: ") + std::strerror(errno));
  }
  if (buffered) {
    setvbuf(file, nullptr, _IOFBF, size_t{64} << 10);
  } else {
    setvbuf(file, nullptr, _IONBF, 0);
  }
  return file;
}

}  // namespace

InputFile::InputFile(std::string_view bytes, ParseGuard* guard, std::function<bool()> cancelled)
    : bytes_(bytes), guard_(guard), cancelled_fn_(std::move(cancelled)) {
  file_ = OpenCookie(this, "r", {&InputFile::Read, nullptr, &InputFile::Seek, &InputFile::Close},
                     /*buffered=*/true);
}

InputFile::~InputFile() {
  fclose(file_);
}

GRef<GMimeStream> InputFile::Open(size_t start) {
  GRef<GMimeStream> stream(g_mime_stream_file_new_with_bounds(file_, static_cast<gint64>(start),
                                                              static_cast<gint64>(bytes_.size())));
  g_mime_stream_file_set_owner(GMIME_STREAM_FILE(stream.get()), FALSE);
  return stream;
}

ssize_t InputFile::Read(void* cookie, char* buffer, size_t size) noexcept {
  auto* self = static_cast<InputFile*>(cookie);
  if (self->position_ >= self->bytes_.size()) return 0;
  size_t n = std::min(size, self->bytes_.size() - self->position_);
  if (self->parsing_) {
    if (self->cancelled_ || self->failed_) return 0;
    if (self->guard_ != nullptr) {
      try {
        self->guard_->Advance(self->position_ + n);
      } catch (...) {  // std::bad_alloc from the guard's bookkeeping: end the parse
        self->failed_ = true;
        return 0;
      }
      if (self->guard_->tripped()) {
        const size_t stop = self->guard_->trip_offset();
        n = stop > self->position_ ? std::min(n, stop - self->position_) : 0;
      }
    }
    self->unpolled_ += n;
    if (self->unpolled_ >= kPollInterval) {
      self->unpolled_ = 0;
      try {
        self->cancelled_ = self->cancelled_fn_ && self->cancelled_fn_();
      } catch (...) {
        self->failed_ = true;
      }
      if (self->cancelled_ || self->failed_) return 0;
    }
  }
  std::memcpy(buffer, self->bytes_.data() + self->position_, n);
  self->position_ += n;
  return static_cast<ssize_t>(n);
}

int InputFile::Seek(void* cookie, off64_t* offset, int whence) noexcept {
  auto* self = static_cast<InputFile*>(cookie);
  const int64_t target = SeekTarget(*offset, whence, self->position_, self->bytes_.size());
  if (target < 0) {
    errno = EINVAL;
    return -1;
  }
  self->position_ = static_cast<size_t>(target);
  *offset = target;
  return 0;
}

int InputFile::Close(void*) noexcept {
  return 0;
}

PieceWriter::PieceWriter(size_t piece_size, std::function<bool(std::string_view)> consume)
    : piece_size_(piece_size), consume_(std::move(consume)) {
  file_ =
      OpenCookie(this, "w", {nullptr, &PieceWriter::Write, &PieceWriter::Seek, &PieceWriter::Close},
                 /*buffered=*/false);
  stream_.reset(g_mime_stream_file_new(file_));
  g_mime_stream_file_set_owner(GMIME_STREAM_FILE(stream_.get()), FALSE);
}

PieceWriter::~PieceWriter() {
  stream_.reset();
  fclose(file_);
}

bool PieceWriter::Finish() {
  if (error_) std::rethrow_exception(error_);
  Flush();
  return !refused_;
}

void PieceWriter::Flush() {
  if (!refused_ && !buffer_.empty()) refused_ = !consume_(buffer_);
  buffer_.clear();
}

ssize_t PieceWriter::Write(void* cookie, const char* buffer, size_t size) noexcept {
  auto* self = static_cast<PieceWriter*>(cookie);
  // Always "accepted" (see the file comment): refused bytes are dropped here.
  self->written_ += size;
  if (self->refused_) return static_cast<ssize_t>(size);
  try {
    self->buffer_.append(buffer, size);
    if (self->buffer_.size() >= self->piece_size_) self->Flush();
  } catch (...) {  // std::bad_alloc, or the consumer threw: Finish reports it
    self->error_ = std::current_exception();
    self->refused_ = true;
    self->buffer_.clear();
  }
  return static_cast<ssize_t>(size);
}

int PieceWriter::Seek(void* cookie, off64_t* offset, int whence) noexcept {
  // GMimeStreamFile seeks to its own position before each write, which is always the end.
  auto* self = static_cast<PieceWriter*>(cookie);
  const int64_t target = SeekTarget(*offset, whence, self->written_, self->written_);
  if (target != static_cast<int64_t>(self->written_)) {
    errno = EINVAL;
    return -1;
  }
  *offset = target;
  return 0;
}

int PieceWriter::Close(void*) noexcept {
  return 0;
}

}  // namespace archivum::bundled::mail
