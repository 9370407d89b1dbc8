#include "plugins/process/worker_group.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <thread>

#include "plugins/process/channel.h"
#include "plugins/process/control.h"
#include "plugins/process/protocol.h"

extern char** environ;

namespace archivum::plugins::process {

using Clock = std::chrono::steady_clock;

std::string SignalName(int sig) {
  if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(sig);
}

// Runs jobs on one long-lived thread: the thread that forks a worker is the "parent" whose death
// PR_SET_PDEATHSIG watches, so it must live as long as the workers may.
class Spawner {
 public:
  Spawner() : thread_([this] { Loop(); }) {}
  ~Spawner() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Runs `job` on the spawner's thread and waits for it.
  void Run(const std::function<void()>& job) {
    std::promise<void> done;
    auto finished = done.get_future();
    {
      std::lock_guard lock(mu_);
      jobs_.push_back([&] {
        job();
        done.set_value();
      });
    }
    cv_.notify_all();
    finished.wait();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
  std::thread thread_;
};

// One running (or dead) worker process, as the daemon sees it.
struct Worker {
  pid_t pid = -1;
  os::UniqueFd pidfd;
  Channel bootstrap;
  std::vector<Channel> slots;
  Control* control = nullptr;
  std::thread log_pump;
  std::chrono::milliseconds grace{500};

  // Guarded by the group's mu_.
  std::vector<bool> busy;
  uint32_t busy_count = 0;
  bool death_counted = false;

  std::atomic<bool> dead{false};  // killed, or found dead: no new call goes to it

  // The death, once Settle determined it. Guarded by death_mu.
  std::mutex death_mu;
  bool reaped = false;
  bool settled = false;
  int32_t blamed_slot = -1;
  int32_t blamed_step = -1;
  std::string death;
  bool timeout = false;
  bool cancelled = false;
  // Set by the watchdog when it kills: the slot it killed for and why.
  int32_t killed_for_slot = -1;
  int32_t killed_step = -1;
  std::string kill_reason;
  bool kill_timeout = false;
  bool kill_cancel = false;

  ~Worker() {
    // Closing the channels asks the worker to stop its plugins and exit.
    slots.clear();
    bootstrap = Channel();
    if (!reaped && pid > 0) {
      pollfd p{pidfd.get(), POLLIN, 0};
      const int waited = pidfd.valid() ? ::poll(&p, 1, static_cast<int>(grace.count()) * 4) : 0;
      if (waited <= 0) ::kill(pid, SIGKILL);
      int status;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (log_pump.joinable()) log_pump.join();
    if (control != nullptr) ::munmap(control, sizeof(Control));
  }

  // Kills the worker for `slot` (once; the first reason stays).
  void Kill(int32_t slot, int32_t step, std::string reason, bool is_timeout, bool is_cancel) {
    std::lock_guard lock(death_mu);
    if (!settled && killed_for_slot < 0) {
      killed_for_slot = slot;
      killed_step = step;
      kill_reason = std::move(reason);
      kill_timeout = is_timeout;
      kill_cancel = is_cancel;
    }
    dead = true;
    if (!reaped && pid > 0) ::kill(pid, SIGKILL);
  }
};

namespace {

// Relays a worker's stderr to the daemon's log, line by line, under the group's name. Lines are
// "<level>\t<message>" from the worker's logger; anything else (a plugin writing to stderr) is
// logged as a warning. Control characters are replaced, lines are capped.
void PumpLog(int fd, std::string group) {
  constexpr size_t kMaxLine = 4096;
  std::string pending;
  char buf[4096];
  auto emit = [&](std::string line) {
    if (line.size() > kMaxLine) line.resize(kMaxLine);
    for (char& c : line) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = '?';
    }
    spdlog::level::level_enum level = spdlog::level::warn;
    std::string_view message = line;
    if (const size_t tab = line.find('\t'); tab != std::string::npos && tab < 10) {
      const auto parsed = spdlog::level::from_str(line.substr(0, tab));
      if (parsed != spdlog::level::off || line.compare(0, tab, "off") == 0) {
        level = parsed;
        message.remove_prefix(tab + 1);
      }
    }
    spdlog::log(level, "worker {}: {}", group, message);
  };
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      emit(pending.substr(start, nl - start));
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) {
      emit(std::move(pending));
      pending.clear();
    }
  }
  if (!pending.empty()) emit(std::move(pending));
  ::close(fd);
}

int PidfdOpen(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// The worker's environment: the daemon's. Under AddressSanitizer, whose shadow memory rules out
// an address-space limit (os/sandbox.h), the allocator's own mmap limit stands in for the
// memory limit, so that a memory bomb still ends (the worker dies) rather than exhaust the host;
// and leak detection is off in workers, whatever the operator asked: its stop-the-world tracer
// needs ptrace and a new process, both of which the sandbox denies.
std::vector<std::string> WorkerEnvironment(uint64_t memory) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
#if defined(__SANITIZE_ADDRESS__)
  constexpr std::string_view kAsan = "ASAN_OPTIONS=";
  auto it = std::find_if(env.begin(), env.end(),
                         [&](const std::string& v) { return v.rfind(kAsan, 0) == 0; });
  if (it == env.end()) it = env.insert(env.end(), std::string(kAsan));
  if (memory > 0) it->insert(kAsan.size(), "mmap_limit_mb=" + std::to_string(memory >> 20) + ":");
  it->append(":detect_leaks=0");
#else
  (void)memory;
#endif
  return env;
}

// fork + exec of the worker with `bootstrap` as descriptor 3, `log` as stderr and /dev/null as
// stdin and stdout. Runs on the spawner thread. Between fork and exec the child calls only
// async-signal-safe functions.
StatusOr<pid_t> ForkWorker(const std::filesystem::path& exe, int bootstrap, int log,
                           uint64_t memory) {
  const std::string path = exe.string();
  char* const argv[] = {const_cast<char*>(path.c_str()), nullptr};
  const std::vector<std::string> env = WorkerEnvironment(memory);
  std::vector<char*> envp;
  for (const std::string& v : env) envp.push_back(const_cast<char*>(v.c_str()));
  envp.push_back(nullptr);
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return Internal(std::string("cannot open /dev/null: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(devnull);
    return Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(devnull, 0) < 0 || ::dup2(devnull, 1) < 0 || ::dup2(log, 2) < 0 ||
        ::dup2(bootstrap, kBootstrapFd) < 0) {
      ::_exit(127);
    }
    ::syscall(SYS_close_range, kBootstrapFd + 1, ~0U, 0);
    ::execve(path.c_str(), argv, envp.data());
    ::_exit(127);
  }
  ::close(devnull);
  return pid;
}

// Waits for `fd` to become readable until `deadline`. True if it did (or hung up).
bool WaitReadable(int fd, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// How a reaped process ended, as a finding: "crashed: SIGSEGV", "crashed: exited with status 0".
std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) return "crashed: " + SignalName(WTERMSIG(status));
  if (WIFEXITED(status))
    return "crashed: exited with status " + std::to_string(WEXITSTATUS(status));
  return "crashed";
}

// Reaps `w` (waiting a little if it is still running, then killing it). Returns the wait status.
int Reap(Worker& w) {
  int status = 0;
  if (w.reaped) return status;
  for (;;) {
    const pid_t r = ::waitpid(w.pid, &status, WNOHANG);
    if (r == w.pid) break;
    if (r < 0 && errno != EINTR) break;
    if (r == 0) {
      // Its channel closed but it still runs (a plugin closed descriptors, say): it is of no use.
      pollfd p{w.pidfd.get(), POLLIN, 0};
      if (!w.pidfd.valid() || ::poll(&p, 1, static_cast<int>(w.grace.count())) <= 0) {
        ::kill(w.pid, SIGKILL);
      }
      while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
  }
  w.reaped = true;
  return status;
}

std::chrono::milliseconds Backoff(uint32_t deaths) {
  if (deaths <= 1) return std::chrono::milliseconds(0);
  const uint32_t shift = std::min<uint32_t>(deaths - 2, 7);
  return std::min(std::chrono::milliseconds(100 << shift), std::chrono::milliseconds(10000));
}

}  // namespace

WorkerGroup::WorkerGroup(Options options)
    : options_(std::move(options)),
      excluded_(options_.plugins.size(), false),
      spawner_(std::make_unique<Spawner>()) {}

WorkerGroup::~WorkerGroup() {
  std::shared_ptr<Worker> last;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    last = std::move(current_);
  }
  cv_.notify_all();
  last.reset();  // stops the worker unless a call still holds it
  spawner_.reset();
}

uint64_t WorkerGroup::restarts() const {
  std::lock_guard lock(mu_);
  return restarts_;
}

StatusOr<std::unique_ptr<WorkerGroup>> WorkerGroup::Start(Options options, Started* started) {
  if (::access(options.worker_exe.c_str(), X_OK) != 0) {
    return FailedPrecondition("cannot run the worker " + options.worker_exe.string() + ": " +
                              std::strerror(errno));
  }
  options.slots = std::clamp<uint32_t>(options.slots, 1, Control::kMaxSlots);
  std::unique_ptr<WorkerGroup> group(new WorkerGroup(std::move(options)));
  const size_t n = group->options_.plugins.size();
  std::vector<std::string> crashed(n);
  for (size_t attempt = 0; attempt <= n; ++attempt) {
    Started got;
    int crashed_plugin = -1;
    auto worker = group->SpawnWorker(group->excluded_, &got, &crashed_plugin);
    if (worker.ok()) {
      for (size_t i = 0; i < n; ++i) {
        if (!crashed[i].empty()) got.plugins[i] = FailedPrecondition(crashed[i]);
      }
      *started = std::move(got);
      group->sandbox_warnings_ = started->sandbox_warnings;
      group->current_ = std::move(*worker);
      return group;
    }
    if (crashed_plugin < 0 || static_cast<size_t>(crashed_plugin) >= n) return worker.status();
    group->excluded_[crashed_plugin] = true;
    crashed[crashed_plugin] = "create failed: " + worker.status().message();
    spdlog::error("plugin {} {}; group {} starts without it",
                  group->options_.plugins[crashed_plugin].file.string(), worker.status().message(),
                  group->name());
  }
  return Internal("group " + group->name() + ": every plugin crashed while starting");
}

StatusOr<std::shared_ptr<Worker>> WorkerGroup::SpawnWorker(const std::vector<bool>& excluded,
                                                           Started* started,
                                                           int* crashed_plugin) const {
  *crashed_plugin = -1;
  auto w = std::make_shared<Worker>();
  w->grace = options_.grace;
  os::UniqueFd host_end, worker_end;
  ARCHIVUM_RETURN_IF_ERROR(Channel::Pair(&host_end, &worker_end));
  int log_pipe[2];
  if (::pipe2(log_pipe, O_CLOEXEC) != 0) {
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  os::UniqueFd log_read(log_pipe[0]), log_write(log_pipe[1]);

  // The control block, shared with the worker.
  os::UniqueFd control_fd(::memfd_create("archivum-control", MFD_CLOEXEC));
  if (!control_fd.valid() || ::ftruncate(control_fd.get(), sizeof(Control)) != 0) {
    return Internal(std::string("cannot create the control block: ") + std::strerror(errno));
  }
  void* block =
      ::mmap(nullptr, sizeof(Control), PROT_READ | PROT_WRITE, MAP_SHARED, control_fd.get(), 0);
  if (block == MAP_FAILED) {
    return Internal(std::string("cannot map the control block: ") + std::strerror(errno));
  }
  w->control = new (block) Control();

  std::vector<os::UniqueFd> worker_slots;
  for (uint32_t i = 0; i < options_.slots; ++i) {
    os::UniqueFd a, b;
    ARCHIVUM_RETURN_IF_ERROR(Channel::Pair(&a, &b));
    w->slots.emplace_back(std::move(a));
    worker_slots.push_back(std::move(b));
  }
  w->busy.assign(options_.slots, false);

  StatusOr<pid_t> pid = Internal("not started");
  spawner_->Run([&] {
    pid = ForkWorker(options_.worker_exe, worker_end.get(), log_write.get(),
                     options_.sandbox.data_size);
    if (pid.ok()) w->pidfd.Reset(PidfdOpen(*pid));
  });
  if (!pid.ok()) return pid.status();
  w->pid = *pid;
  worker_end.Reset();
  log_write.Reset();
  w->log_pump = std::thread(PumpLog, log_read.Release(), options_.name);
  w->bootstrap = Channel(std::move(host_end));

  worker::Init init;
  init.set_probe(options_.probe);
  for (size_t i = 0; i < options_.plugins.size(); ++i) {
    const PluginSpec& spec = options_.plugins[i];
    auto* p = init.add_plugins();
    p->set_file(spec.file.string());
    p->set_config_json(spec.config_json);
    p->set_data_dir(spec.data_dir.string());
    p->set_excluded(excluded[i]);
    ToProto(spec.routing, p->mutable_routing());
  }
  init.set_max_output_bytes(options_.limits.max_output_bytes);
  init.set_max_query_hits(options_.limits.max_query_hits);
  init.set_spool_dir(options_.limits.spool_dir.string());
  init.set_slots(options_.slots);
  ToProto(options_.sandbox, init.mutable_sandbox());
  init.set_group(options_.name);
  const auto level = spdlog::level::to_string_view(spdlog::get_level());
  init.set_log_level(std::string(level.data(), level.size()));
  std::vector<int> fds{control_fd.get()};
  for (const auto& s : worker_slots) fds.push_back(s.get());
  std::string payload;
  init.SerializeToString(&payload);
  Status sent = w->bootstrap.Send(payload, fds);
  worker_slots.clear();
  control_fd.Reset();

  auto fail_start = [&](std::string why) -> Status {
    const int32_t starting = w->control->starting.load(std::memory_order_acquire);
    ::kill(w->pid, SIGKILL);
    const int status = Reap(*w);
    if (starting >= 0) {
      *crashed_plugin = starting;
      return FailedPrecondition(
          why.empty() ? "crashed while starting: " + DescribeExit(status).substr(9) : why);
    }
    return FailedPrecondition(
        "worker of group " + options_.name + " " +
        (why.empty() ? "died while starting (" + DescribeExit(status) + ")" : why));
  };
  if (!sent.ok()) return fail_start("");
  if (!WaitReadable(w->bootstrap.fd(), Clock::now() + options_.start_timeout)) {
    const int32_t starting = w->control->starting.load(std::memory_order_acquire);
    return fail_start(starting >= 0 ? "hung while starting (killed after " +
                                          std::to_string(options_.start_timeout.count()) + " ms)"
                                    : "did not start within " +
                                          std::to_string(options_.start_timeout.count()) + " ms");
  }
  auto message = w->bootstrap.Receive();
  if (!message.ok()) return fail_start("");
  worker::InitReply reply;
  if (!reply.ParseFromString(message->payload)) {
    return fail_start("sent garbage while starting");
  }
  if (!reply.sandbox_error().empty()) {
    ::kill(w->pid, SIGKILL);
    Reap(*w);
    return FailedPrecondition("the worker cannot confine itself: " + reply.sandbox_error());
  }
  started->sandbox_warnings.assign(reply.sandbox_warnings().begin(),
                                   reply.sandbox_warnings().end());
  started->plugins.clear();
  for (size_t i = 0; i < options_.plugins.size(); ++i) {
    if (options_.probe) break;
    if (static_cast<int>(i) >= reply.plugins_size()) {
      started->plugins.push_back(Internal("the worker did not report on this plugin"));
      continue;
    }
    const auto& s = reply.plugins(static_cast<int>(i));
    if (!s.error().empty()) {
      started->plugins.push_back(FailedPrecondition(s.error()));
    } else {
      started->plugins.push_back(FromProto(s.manifest()));
    }
  }
  return w;
}

void WorkerGroup::Settle(Worker& w) const {
  std::lock_guard lock(w.death_mu);
  if (w.settled) return;
  w.dead = true;
  const int status = Reap(w);
  const int32_t fault_slot = w.control->fault_slot.load(std::memory_order_acquire);
  const bool faulted = fault_slot >= 0 && static_cast<uint32_t>(fault_slot) < w.slots.size();
  if (w.killed_for_slot >= 0 && !faulted) {
    w.blamed_slot = w.killed_for_slot;
    w.blamed_step = w.killed_step;
    w.death = w.kill_reason;
    w.timeout = w.kill_timeout;
    w.cancelled = w.kill_cancel;
  } else {
    w.death = DescribeExit(status);
    if (faulted) {
      w.blamed_slot = fault_slot;
    } else {
      std::lock_guard group_lock(mu_);
      if (w.busy_count == 1) {
        const auto slot =
            static_cast<int32_t>(std::find(w.busy.begin(), w.busy.end(), true) - w.busy.begin());
        // Only if the worker had read the request: one that died before cannot be blamed on it.
        if (w.control->slots[slot].received.load(std::memory_order_acquire) != 0) {
          w.blamed_slot = slot;
        }
      }
    }
    if (w.blamed_slot >= 0) {
      const SlotControl& sc = w.control->slots[w.blamed_slot];
      const int32_t step = sc.step.load(std::memory_order_acquire);
      w.blamed_step = step >= 0 ? step : sc.last_step.load(std::memory_order_relaxed);
    }
  }
  w.settled = true;
  spdlog::warn("worker {} (pid {}) of group {} {}", w.pid, w.pid, options_.name, w.death);
}

WorkerGroup::CallResult WorkerGroup::Call(const worker::Request& request, int fd,
                                          const std::function<bool()>& cancelled) const {
  std::string payload;
  CallResult result;
  if (!request.SerializeToString(&payload)) {
    result.death = "cannot serialize the request";
    return result;
  }
  bool alone = false;
  for (int attempt = 0;; ++attempt) {
    Attempt next;
    if (alone) {
      std::unique_lock exclusive(alone_mu_);
      next = CallOnce(payload, fd, cancelled, true, &result);
    } else {
      std::shared_lock shared(alone_mu_);
      next = CallOnce(payload, fd, cancelled, false, &result);
    }
    if (next == Attempt::kDone) return result;
    if (attempt >= 4) {
      result = CallResult();
      result.kind = CallResult::kFailed;
      result.death = "worker lost repeatedly";
      return result;
    }
    if (next == Attempt::kRetryAlone) alone = true;
  }
}

WorkerGroup::Attempt WorkerGroup::CallOnce(const std::string& payload, int fd,
                                           const std::function<bool()>& cancelled, bool alone,
                                           CallResult* result) const {
  auto is_cancelled = [&] {
    try {
      return cancelled && cancelled();
    } catch (...) {
      return true;
    }
  };
  std::shared_ptr<Worker> w;
  int32_t slot = -1;
  {
    std::unique_lock lock(mu_);
    for (;;) {
      if (stopping_) {
        result->kind = CallResult::kFailed;
        result->death = "shutting down";
        return Attempt::kDone;
      }
      if (current_ && !current_->dead.load()) {
        auto free = std::find(current_->busy.begin(), current_->busy.end(), false);
        if (free != current_->busy.end()) {
          w = current_;
          slot = static_cast<int32_t>(free - w->busy.begin());
          *free = true;
          ++w->busy_count;
          break;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        if (is_cancelled()) {
          result->kind = CallResult::kCancelled;
          return Attempt::kDone;
        }
        continue;
      }
      if (spawning_) {
        cv_.wait(lock);
        continue;
      }
      const auto now = Clock::now();
      if (now < next_spawn_) {
        if (is_cancelled()) {
          result->kind = CallResult::kCancelled;
          return Attempt::kDone;
        }
        cv_.wait_until(lock, std::min(next_spawn_, now + std::chrono::milliseconds(100)));
        continue;
      }
      spawning_ = true;
      const std::vector<bool> excluded = excluded_;
      lock.unlock();
      Started started;
      int crashed_plugin = -1;
      auto spawned = SpawnWorker(excluded, &started, &crashed_plugin);
      lock.lock();
      spawning_ = false;
      cv_.notify_all();
      if (!spawned.ok()) {
        if (crashed_plugin >= 0) {
          excluded_[crashed_plugin] = true;
          spdlog::error("plugin {} {}; group {} goes on without it",
                        options_.plugins[crashed_plugin].file.string(), spawned.status().message(),
                        options_.name);
          continue;
        }
        ++consecutive_deaths_;
        next_spawn_ = Clock::now() + Backoff(consecutive_deaths_);
        result->kind = CallResult::kFailed;
        result->death = spawned.status().message();
        return Attempt::kDone;
      }
      ++restarts_;
      spdlog::info("group {}: worker {} started to replace a dead one", options_.name,
                   (*spawned)->pid);
      current_ = std::move(*spawned);
    }
  }

  SlotControl& sc = w->control->slots[slot];
  sc.cancel.store(0, std::memory_order_relaxed);
  sc.received.store(0, std::memory_order_release);
  const Channel& channel = w->slots[slot];
  bool replied = false;
  if (channel.Send(payload, fd >= 0 ? std::span<const int>(&fd, 1) : std::span<const int>()).ok()) {
    bool cancel_sent = false;
    Clock::time_point cancel_at{};
    for (;;) {
      Clock::time_point wake = Clock::time_point::max();
      const int32_t step = sc.step.load(std::memory_order_acquire);
      const int64_t deadline_ns = sc.deadline_ns.load(std::memory_order_relaxed);
      const Clock::time_point step_deadline = FromMonotonicNs(deadline_ns);
      if (step >= 0 && deadline_ns != INT64_MAX) wake = step_deadline + options_.grace;
      const Clock::time_point now = Clock::now();
      if (cancel_sent) {
        wake = std::min(wake, cancel_at + options_.grace);
      } else if (cancelled) {
        wake = std::min(wake, now + std::chrono::milliseconds(100));
      }
      // Between steps the next limit is not published yet: look again soon.
      if (step < 0) wake = std::min(wake, now + std::chrono::milliseconds(50));
      int timeout_ms = -1;
      if (wake != Clock::time_point::max()) {
        timeout_ms = static_cast<int>(std::clamp<int64_t>(
            std::chrono::ceil<std::chrono::milliseconds>(wake - now).count(), 0, 60000));
      }
      pollfd p{channel.fd(), POLLIN, 0};
      const int n = ::poll(&p, 1, timeout_ms);
      if (n < 0 && errno != EINTR) break;
      if (n > 0) {
        auto message = channel.Receive();
        if (message.ok()) {
          if (result->reply.ParseFromString(message->payload)) {
            result->fds = std::move(message->fds);
            replied = true;
          } else {
            w->Kill(slot, sc.last_step.load(), "crashed: garbage on the channel", false, false);
          }
        } else if (message.status().code() == StatusCode::kDataLoss) {
          w->Kill(slot, sc.last_step.load(), "crashed: " + message.status().message(), false,
                  false);
        }
        break;
      }
      const Clock::time_point after = Clock::now();
      if (!cancel_sent && is_cancelled()) {
        sc.cancel.store(1, std::memory_order_relaxed);
        cancel_sent = true;
        cancel_at = after;
        continue;
      }
      if (cancel_sent && after >= cancel_at + options_.grace) {
        w->Kill(slot, sc.step.load(), "cancelled", false, true);
        break;
      }
      const int32_t running = sc.step.load(std::memory_order_acquire);
      const int64_t limit_ns = sc.deadline_ns.load(std::memory_order_relaxed);
      if (running >= 0 && running == step && limit_ns != INT64_MAX &&
          after >= FromMonotonicNs(limit_ns) + options_.grace) {
        w->Kill(slot, running, "timeout", true, false);
        break;
      }
    }
  }

  Attempt next = Attempt::kDone;
  if (replied) {
    result->kind = CallResult::kReplied;
  } else {
    Settle(*w);
    std::lock_guard death_lock(w->death_mu);
    if (w->blamed_slot == slot) {
      result->kind = w->cancelled ? CallResult::kCancelled : CallResult::kKilled;
      result->death = w->death;
      result->timeout = w->timeout;
      result->step = w->blamed_step;
    } else if (w->blamed_slot < 0 && alone &&
               w->control->slots[slot].received.load(std::memory_order_acquire) != 0) {
      result->kind = CallResult::kKilled;
      result->death = w->death;
      const SlotControl& own = w->control->slots[slot];
      const int32_t step = own.step.load();
      result->step = step >= 0 ? step : own.last_step.load();
    } else {
      next = w->blamed_slot < 0 ? Attempt::kRetryAlone : Attempt::kRetry;
    }
  }
  {
    std::lock_guard lock(mu_);
    w->busy[slot] = false;
    --w->busy_count;
    if (replied) {
      consecutive_deaths_ = 0;
    } else if (!w->death_counted) {
      w->death_counted = true;
      ++consecutive_deaths_;
      next_spawn_ = Clock::now() + Backoff(consecutive_deaths_);
      if (current_ == w) current_.reset();
    }
  }
  cv_.notify_all();
  return next;
}

}  // namespace archivum::plugins::process
