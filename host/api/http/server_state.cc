#include "api/http/server_state.h"

namespace archivum::api::gateway {

std::shared_ptr<boost::asio::ssl::context> ServerState::CurrentTls() const {
  std::lock_guard lock(tls_mu_);
  return current_tls_;
}

void ServerState::ReplaceTls(std::shared_ptr<boost::asio::ssl::context> context) {
  std::lock_guard lock(tls_mu_);
  current_tls_.swap(context);
}

std::optional<uint64_t> ServerState::TryAdmit() {
  std::lock_guard lock(mu_);
  const int max = config.max_connections;
  if (draining_ || (max > 0 && live_.size() >= static_cast<size_t>(max))) return std::nullopt;
  const uint64_t id = next_id_++;
  live_.emplace(id, std::weak_ptr<Session>());
  return id;
}

void ServerState::Attach(uint64_t id, std::weak_ptr<Session> session) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(id); it != live_.end()) it->second = std::move(session);
}

void ServerState::Release(uint64_t id) {
  std::lock_guard lock(mu_);
  live_.erase(id);
  if (live_.empty()) none_live_.notify_all();
}

std::vector<std::shared_ptr<Session>> ServerState::BeginDrain() {
  {
    std::lock_guard lock(mu_);
    draining_ = true;
  }
  return Snapshot();
}

std::vector<std::shared_ptr<Session>> ServerState::Snapshot() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, weak] : live_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

bool ServerState::WaitForNone(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return none_live_.wait_until(lock, deadline, [this] { return live_.empty(); });
}

void ServerState::WaitForNone() {
  std::unique_lock lock(mu_);
  none_live_.wait(lock, [this] { return live_.empty(); });
}

bool ServerState::draining() const {
  std::lock_guard lock(mu_);
  return draining_;
}

}  // namespace archivum::api::gateway
