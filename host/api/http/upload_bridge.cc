#include "api/http/upload_bridge.h"

namespace archivum::api::gateway {

UploadBridge::UploadBridge(::aichemist_archivum::UploadHeader header, size_t capacity,
                           std::function<void()> on_space)
    : header_(std::move(header)),
      capacity_(capacity == 0 ? 1 : capacity),
      on_space_(std::move(on_space)) {}

bool UploadBridge::Next(::aichemist_archivum::UploadChunk* chunk) {
  bool was_full = false;
  {
    std::unique_lock lock(mu_);
    if (!header_sent_) {
      header_sent_ = true;
      *chunk->mutable_header() = header_;
      return true;
    }
    ready_.wait(lock, [this] { return !pieces_.empty() || finished_ || aborted_; });
    if (aborted_ || pieces_.empty()) return false;
    was_full = pieces_.size() >= capacity_;
    chunk->set_data(std::move(pieces_.front()));
    pieces_.pop_front();
  }
  if (was_full && on_space_) on_space_();
  return true;
}

bool UploadBridge::Full() const {
  std::lock_guard lock(mu_);
  return pieces_.size() >= capacity_;
}

void UploadBridge::Push(std::string piece) {
  if (piece.empty()) return;
  std::lock_guard lock(mu_);
  pieces_.push_back(std::move(piece));
  ready_.notify_one();
}

void UploadBridge::Finish() {
  std::lock_guard lock(mu_);
  finished_ = true;
  ready_.notify_all();
}

void UploadBridge::Abort() {
  std::lock_guard lock(mu_);
  aborted_ = true;
  pieces_.clear();
  ready_.notify_all();
}

}  // namespace archivum::api::gateway
