// What the daemon tells its service manager (systemd, Type=notify or Type=notify-reload) through
// libsystemd's sd_notify: READY=1 once it serves, RELOADING=1 (with MONOTONIC_USEC, which
// Type=notify-reload requires since systemd 253) while it rereads its config and READY=1 after,
// STOPPING=1 when it shuts down, STATUS= lines a person reads in `systemctl status`, and the
// watchdog's WATCHDOG=1.
//
// Without NOTIFY_SOCKET in the environment (not started by systemd) every call is a no-op. The
// variables stay in the environment, because sd_notify reads them on each call; systemd accepts
// the messages of the main process only (NotifyAccess=main, the default), so the plugin workers
// that inherit them cannot speak for the daemon.
//
// Watchdog: when systemd asks for one (WatchdogSec=, i.e. WATCHDOG_USEC for this pid; see
// sd_watchdog_enabled), a thread calls `alive` every half interval and sends WATCHDOG=1 only when
// it returns true; a probe that blocks or answers false for a whole interval lets systemd restart
// the daemon. What a ping proves is what `alive` checks (daemon.cc: the signal loop turned within
// the interval and the catalog answered a read).
//
// Thread safety: every method is safe from any thread. The destructor stops the watchdog thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace archivum::daemon {

class SystemdNotifier {
 public:
  SystemdNotifier();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // Whether a service manager listens (NOTIFY_SOCKET was set).
  bool enabled() const { return enabled_; }

  // READY=1 with STATUS=`status`.
  void Ready(std::string_view status);
  // RELOADING=1, MONOTONIC_USEC=<CLOCK_MONOTONIC now> and STATUS=`status`.
  void Reloading(std::string_view status);
  // STOPPING=1 with STATUS=`status`.
  void Stopping(std::string_view status);

  // The watchdog interval systemd expects pings within; zero when it asks for none.
  std::chrono::microseconds watchdog_interval() const { return watchdog_; }
  // Starts the watchdog thread (see the file comment) if systemd asks for one; otherwise does
  // nothing. `alive` runs on that thread. Call at most once.
  void StartWatchdog(std::function<bool()> alive);

 private:
  void Send(const std::string& message) const;
  void WatchdogLoop(std::function<bool()> alive);

  bool enabled_ = false;
  std::chrono::microseconds watchdog_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread watchdog_thread_;
};

}  // namespace archivum::daemon
