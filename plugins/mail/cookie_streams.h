// GMime streams over the plugin's own memory and callbacks.
//
// GMime 3.2 has no stream over memory the caller owns: GMimeStreamMem copies the buffer it is
// given (g_mime_stream_mem_new_with_buffer) or wraps a GByteArray, which the host's read-only
// mapping is not and whose guint length stops at 4 GiB; GMimeStreamMmap and GMimeStreamFs need a
// file descriptor, which a plugin does not get. A new GMimeStream subclass would need a GType
// registered once per process, which two copies of this code in one process (a test that links
// the library and loads the module) would both claim. So both streams here are GMimeStreamFile
// objects over a FILE made with glibc's fopencookie: no copy, 64-bit offsets, and the cookie
// functions are where the plugin polls cancellation, applies its ParseGuard and hands output on.
//
// GMimeStreamFile never reports an error: a short read or write before the end of a stream comes
// back as 0, and g_mime_stream_write_to_stream (used when GMime writes a message) then loops
// forever. So InputFile stops reads early only while GMime's parser reads (which takes 0 as the
// end of input), and PieceWriter accepts every write, dropping what its consumer refuses.
//
// Thread safety: none; each object belongs to one Process call.
#pragma once

#include <gmime/gmime.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

#include "mail/gmime_util.h"
#include "mail/parse_guard.h"

namespace archivum::bundled::mail {

// The input file's bytes as GMime streams.
class InputFile {
 public:
  // `bytes` and `guard` (may be null) must outlive this object; `cancelled` is polled about
  // every MiB read while parsing. Throws sdk::Error if the FILE cannot be made.
  InputFile(std::string_view bytes, ParseGuard* guard, std::function<bool()> cancelled);
  // Every stream made by Open, and every GMime object holding one of them or a substream, must
  // be released before the InputFile is destroyed (GMimeStreamFile substreams share the FILE
  // without holding a reference).
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // A new stream over bytes [start, end of input).
  GRef<GMimeStream> Open(size_t start);

  // Ends the parse: reads no longer stop for the guard or cancellation (see the file comment).
  void EndParse() { parsing_ = false; }

  // A read during the parse saw the cancellation, or failed; the parse then ended early.
  bool cancelled() const { return cancelled_; }
  bool failed() const { return failed_; }

 private:
  static ssize_t Read(void* cookie, char* buffer, size_t size) noexcept;
  static int Seek(void* cookie, off64_t* offset, int whence) noexcept;
  static int Close(void* cookie) noexcept;

  const std::string_view bytes_;
  ParseGuard* const guard_;
  const std::function<bool()> cancelled_fn_;
  FILE* file_ = nullptr;
  size_t position_ = 0;
  size_t unpolled_ = 0;  // bytes read since cancellation was last polled
  bool parsing_ = true;
  bool cancelled_ = false;
  bool failed_ = false;
};

// A stream for GMime to write into, whose bytes go to a consumer in pieces.
class PieceWriter {
 public:
  // `consume` receives the bytes in order, in pieces of about `piece_size` bytes (the last one
  // smaller). Once it returns false it is not called again, and what is written afterwards is
  // dropped. Throws sdk::Error if the FILE cannot be made.
  PieceWriter(size_t piece_size, std::function<bool(std::string_view)> consume);
  // The stream (see stream()) must be released first.
  ~PieceWriter();
  PieceWriter(const PieceWriter&) = delete;
  PieceWriter& operator=(const PieceWriter&) = delete;

  // The stream to write into; owned by the writer, valid until it is destroyed.
  GMimeStream* stream() const { return stream_.get(); }
  // Passes on what is still buffered. Returns false if the consumer refused anything; rethrows
  // what the consumer (or an allocation) threw during a write.
  bool Finish();

 private:
  static ssize_t Write(void* cookie, const char* buffer, size_t size) noexcept;
  static int Seek(void* cookie, off64_t* offset, int whence) noexcept;
  static int Close(void* cookie) noexcept;
  void Flush();

  const size_t piece_size_;
  const std::function<bool(std::string_view)> consume_;
  FILE* file_ = nullptr;
  GRef<GMimeStream> stream_;
  std::string buffer_;
  size_t written_ = 0;
  bool refused_ = false;
  std::exception_ptr error_;
};

}  // namespace archivum::bundled::mail
