#include "daemon/systemd_notifier.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace archivum::daemon {
namespace {

uint64_t MonotonicMicros() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

// STATUS= takes one line.
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) {
    watchdog_ = std::chrono::microseconds(usec);
  }
}

SystemdNotifier::~SystemdNotifier() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watchdog_thread_.joinable()) watchdog_thread_.join();
}

void SystemdNotifier::Send(const std::string& message) const {
  if (!enabled_) return;
  if (const int rc = sd_notify(/*unset_environment=*/0, message.c_str()); rc < 0) {
    spdlog::warn("sd_notify failed: {}", std::strerror(-rc));
  }
}

void SystemdNotifier::Ready(std::string_view status) {
  Send("READY=1\nSTATUS=" + OneLine(status));
}

void SystemdNotifier::Reloading(std::string_view status) {
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(MonotonicMicros()) +
       "\nSTATUS=" + OneLine(status));
}

void SystemdNotifier::Stopping(std::string_view status) {
  Send("STOPPING=1\nSTATUS=" + OneLine(status));
}

void SystemdNotifier::StartWatchdog(std::function<bool()> alive) {
  if (watchdog_.count() <= 0 || watchdog_thread_.joinable()) return;
  spdlog::info("systemd watchdog: pinging every {} ms", watchdog_.count() / 2000);
  watchdog_thread_ = std::thread([this, alive = std::move(alive)] { WatchdogLoop(alive); });
}

void SystemdNotifier::WatchdogLoop(std::function<bool()> alive) {
  const auto period = watchdog_ / 2;
  auto next = std::chrono::steady_clock::now();
  bool warned = false;
  for (;;) {
    if (alive()) {
      Send("WATCHDOG=1");
      warned = false;
    } else if (!warned) {
      spdlog::error("systemd watchdog: the liveness check failed; not pinging");
      warned = true;
    }
    // A probe that took longer than a period does not cause a burst of pings to catch up.
    next = std::max(next + period, std::chrono::steady_clock::now());
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

}  // namespace archivum::daemon
