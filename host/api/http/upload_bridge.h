// core::UploadReader over an HTTP request body: the connection reads the body in pieces on its
// strand and pushes them here; the core's Upload, on a worker thread, pulls them with Next().
//
// The first Next() yields the header (name and, when the request has a Content-Length, the
// declared size, so a truncated body fails the upload); then one data chunk per piece, in order;
// then false at the end of the body. At most `capacity` pieces wait in memory: the connection
// stops reading while Full() and resumes when `on_space` tells it a piece was taken, so a fast
// client is slowed to the pipeline's pace and the body is never held whole.
//
// If the body cannot be completed (the client went away, a malformed chunk), Abort() ends the
// stream; the transport's CallContext then reports cancelled, so the core discards the upload
// instead of cataloging a truncated document.
//
// Thread safety: all methods are safe from any thread. `on_space` is called on the worker,
// without the internal lock held; it must not block (it posts to the connection's strand).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "core/file_manager.h"

namespace archivum::api::gateway {

class UploadBridge final : public core::UploadReader {
 public:
  UploadBridge(::aichemist_archivum::UploadHeader header, size_t capacity,
               std::function<void()> on_space);

  // Worker (the core): blocks until a piece, the end, or an abort.
  bool Next(::aichemist_archivum::UploadChunk* chunk) override;

  // Connection: whether to pause reading until `on_space` fires.
  bool Full() const;
  // Connection: appends a piece of the body (empty pieces are dropped).
  void Push(std::string piece);
  // Connection: the body is complete.
  void Finish();
  // Connection: the body will not be completed.
  void Abort();

 private:
  ::aichemist_archivum::UploadHeader header_;
  const size_t capacity_;
  const std::function<void()> on_space_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::string> pieces_;  // guarded by mu_
  bool header_sent_ = false;        // guarded by mu_
  bool finished_ = false;           // guarded by mu_
  bool aborted_ = false;            // guarded by mu_
};

}  // namespace archivum::api::gateway
