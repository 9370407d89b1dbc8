#include "api/http/ndjson_stream.h"

#include "api/http/json_mapping.h"

namespace archivum::api::gateway {

std::string ResultLine(const std::string& message_json) {
  std::string line;
  line.reserve(message_json.size() + 12);
  line.append("{\"result\":").append(message_json).append("}\n");
  return line;
}

std::string ErrorLine(const Status& status) {
  return "{\"error\":" + ErrorJson(status) + "}\n";
}

bool NdjsonQueue::Push(std::string line) {
  std::unique_lock lock(mu_);
  space_.wait(lock, [this] { return lines_.size() < capacity_ || aborted_; });
  if (aborted_) return false;
  lines_.push_back(std::move(line));
  return true;
}

void NdjsonQueue::Close(Status final) {
  std::lock_guard lock(mu_);
  closed_ = true;
  final_ = std::move(final);
}

NdjsonQueue::Item NdjsonQueue::Pop() {
  Item item;
  std::lock_guard lock(mu_);
  if (!lines_.empty()) {
    item.kind = Item::Kind::kLine;
    item.line = std::move(lines_.front());
    lines_.pop_front();
    space_.notify_one();
  } else if (closed_) {
    item.kind = Item::Kind::kEnd;
    item.final = final_;
  }
  return item;
}

void NdjsonQueue::Abort() {
  std::lock_guard lock(mu_);
  aborted_ = true;
  lines_.clear();
  space_.notify_all();
}

}  // namespace archivum::api::gateway
