// archivum_bench_startup: time from exec of archivumd to health SERVING, and its idle RSS.
//
//   archivum_bench_startup --daemon build/release/bin/archivumd --config FILE --store DIR
//                          [--runs 10] [--settle-ms 500] [--json OUT] [-- extra daemon args]
//
// Each run spawns the daemon with the config, --store DIR and --grpc-listen/--http-listen on
// port 0, reads its log from stderr until "gRPC listening on HOST:PORT", then polls
// grpc.health.v1.Health/Check on that address until SERVING (the poll is the harness's, not a
// synchronization a test would do). The clock starts just before posix_spawn. After --settle-ms
// it reads VmRSS/VmHWM/Threads from /proc/PID/status, then sends SIGTERM and times the exit.
// The first run starts on an empty store (creates the catalog); later runs reuse it, as a
// restart does. Reports the median, min and max over the runs and the first run separately.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/latency.h"
#include "health.grpc.pb.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
namespace health = ::grpc::health::v1;

struct Options {
  std::string daemon;
  std::string config;
  std::string store;
  unsigned runs = 10;
  unsigned settle_ms = 500;
  std::string json_out;
  std::vector<std::string> extra;
};

struct RunResult {
  double listening_ms = 0;  // exec to the "gRPC listening" log line
  double serving_ms = 0;    // exec to health SERVING
  double shutdown_ms = 0;   // SIGTERM to exit
  long rss_kb = 0;
  long hwm_kb = 0;
  long threads = 0;
  int exit_code = -1;
};

// "Key:   123 kB" from /proc/PID/status; -1 if absent.
long StatusField(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// A spawned daemon whose stderr is collected by a thread (so it never blocks on a full pipe).
class Daemon {
 public:
  Daemon(const Options& o, Clock::time_point* spawned_at) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {o.daemon,      "--config",      o.config,
                                     "--store",     o.store,         "--grpc-listen",
                                     "127.0.0.1:0", "--http-listen", "127.0.0.1:0"};
    args.insert(args.end(), o.extra.begin(), o.extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    *spawned_at = Clock::now();
    const int rc = posix_spawn(&pid_, o.daemon.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      throw std::runtime_error("cannot spawn " + o.daemon + ": " + std::strerror(rc));
    }
    reader_ = std::thread([this, fd = fds[0]] { Drain(fd); });
  }

  ~Daemon() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
  }

  pid_t pid() const { return pid_; }

  // Waits for the "gRPC listening on HOST:PORT" line; empty on timeout or exit.
  std::string WaitForAddress(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return !address_.empty() || eof_; });
    return address_;
  }

  // SIGTERM, then waits; returns the exit code (128+signal if killed).
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string log() {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  void Drain(int fd) {
    static constexpr std::string_view kMarker = "gRPC listening on ";
    char buffer[4096];
    for (;;) {
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      std::lock_guard lock(mu_);
      log_.append(buffer, static_cast<size_t>(n));
      if (address_.empty()) {
        const size_t at = log_.find(kMarker);
        const size_t end = at == std::string::npos ? at : log_.find('\n', at);
        if (end != std::string::npos) {
          address_ = log_.substr(at + kMarker.size(), end - at - kMarker.size());
          cv_.notify_all();
        }
      }
    }
    close(fd);
    std::lock_guard lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;      // guarded by mu_
  std::string address_;  // guarded by mu_
  bool eof_ = false;     // guarded by mu_
};

std::optional<RunResult> RunOnce(const Options& o) {
  Clock::time_point start;
  Daemon daemon(o, &start);
  RunResult r;
  const std::string address = daemon.WaitForAddress(std::chrono::seconds(30));
  if (address.empty()) {
    std::cerr << "archivumd did not report its gRPC address; its log:\n" << daemon.log();
    return std::nullopt;
  }
  r.listening_ms = Ms(Clock::now() - start);
  auto stub =
      health::Health::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    ctx.set_wait_for_ready(true);
    health::HealthCheckRequest request;
    health::HealthCheckResponse response;
    const grpc::Status st = stub->Check(&ctx, request, &response);
    if (st.ok() && response.status() == health::HealthCheckResponse::SERVING) break;
    if (Clock::now() - start > std::chrono::seconds(30)) {
      std::cerr << "archivumd not SERVING after 30 s; its log:\n" << daemon.log();
      return std::nullopt;
    }
  }
  r.serving_ms = Ms(Clock::now() - start);
  std::this_thread::sleep_for(std::chrono::milliseconds(o.settle_ms));
  r.rss_kb = StatusField(daemon.pid(), "VmRSS");
  r.hwm_kb = StatusField(daemon.pid(), "VmHWM");
  r.threads = StatusField(daemon.pid(), "Threads");
  // Stops the daemon with our connection open (a client that stays connected), as a user's
  // daemon is usually stopped.
  const Clock::time_point stop = Clock::now();
  r.exit_code = daemon.Stop();
  r.shutdown_ms = Ms(Clock::now() - stop);
  if (r.exit_code != 0) {
    std::cerr << "archivumd exited with " << r.exit_code << "; its log:\n" << daemon.log();
    return std::nullopt;
  }
  return r;
}

nlohmann::json Summary(std::vector<double> values) {
  const archivum::bench::LatencySummary s = archivum::bench::Summarize(values);
  return {{"median", archivum::bench::Round4(s.p50_ms)},
          {"min", archivum::bench::Round4(values.front())},
          {"max", archivum::bench::Round4(s.max_ms)}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_startup: archivumd exec-to-SERVING time and idle RSS"};
  Options o;
  app.add_option("--daemon", o.daemon, "archivumd executable")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--config", o.config, "config file")->required()->check(CLI::ExistingFile);
  app.add_option("--store", o.store, "store directory (created by the first run)")->required();
  app.add_option("--runs", o.runs, "daemon starts")->check(CLI::Range(1u, 1000u));
  app.add_option("--settle-ms", o.settle_ms, "idle time after SERVING before reading RSS");
  app.add_option("--json", o.json_out, "write the figures to this JSON file");
  app.add_option("extra", o.extra, "extra archivumd arguments (after --)");
  CLI11_PARSE(app, argc, argv);

  std::vector<RunResult> runs;
  for (unsigned i = 0; i < o.runs; ++i) {
    std::optional<RunResult> r = RunOnce(o);
    if (!r) return 1;
    runs.push_back(*r);
  }
  std::vector<double> serving, listening, shutdown, rss, hwm;
  for (const RunResult& r : runs) {
    serving.push_back(r.serving_ms);
    listening.push_back(r.listening_ms);
    shutdown.push_back(r.shutdown_ms);
    rss.push_back(static_cast<double>(r.rss_kb));
    hwm.push_back(static_cast<double>(r.hwm_kb));
  }
  nlohmann::json out = {{"runs", o.runs},
                        {"settle_ms", o.settle_ms},
                        {"serving_ms", Summary(serving)},
                        {"listening_ms", Summary(listening)},
                        {"shutdown_ms", Summary(shutdown)},
                        {"idle_rss_kb", Summary(rss)},
                        {"idle_hwm_kb", Summary(hwm)},
                        {"threads", runs.back().threads},
                        {"first_run_serving_ms", archivum::bench::Round4(runs.front().serving_ms)}};
  std::printf(
      "start-up over %u runs: exec->SERVING median %.1f ms (min %.1f, max %.1f; first, "
      "empty store: %.1f), idle RSS median %.1f MB, %ld threads, shutdown %.1f ms\n",
      o.runs, out["serving_ms"]["median"].get<double>(), out["serving_ms"]["min"].get<double>(),
      out["serving_ms"]["max"].get<double>(), runs.front().serving_ms,
      out["idle_rss_kb"]["median"].get<double>() / 1024.0, runs.back().threads,
      out["shutdown_ms"]["median"].get<double>());
  if (!o.json_out.empty()) {
    std::ofstream file(o.json_out);
    file << out.dump(2) << "\n";
    if (!file) {
      std::cerr << "cannot write " << o.json_out << "\n";
      return 1;
    }
  }
  return 0;
}
