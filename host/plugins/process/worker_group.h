// WorkerGroup: the worker process (archivum-worker) that runs the plugins of one isolation
// group, its replacement when it dies, and the watchdog of every call into it.
//
// One worker serves a group at a time. It has `slots` channels, each served by a thread of its
// own, so that up to `slots` calls (of any of the group's plugins) run at once; a call waits for
// a free slot. A call's reply comes back in one message; the file travels as a descriptor.
//
// Deadlines: while a plugin runs, the worker publishes the step and its binding limit in the
// control block (control.h). A call still running `grace` after its limit gets its worker
// killed (SIGKILL). A call whose caller cancels is asked to stop (the plugin's is_cancelled) and
// killed `grace` later if it has not returned.
//
// Attribution: when a worker dies, the call that caused it is found from the control block (the
// slot whose thread took a fatal signal, or the slot the watchdog killed for), or, when the
// worker just vanished (an exit, SIGKILL by the kernel), from the only call in flight. That call
// gets kKilled with the reason and the step; every other call in flight was a bystander and is
// sent again to the replacement. When several calls were in flight and none can be blamed, each
// is sent again alone (no other call in flight), so a deterministic crash is blamed on its file
// the second time. A replacement starts at once after a first death, then after 100 ms, 200 ms,
// ... up to 10 s while the worker keeps dying; a reply resets the backoff.
//
// Lifetime: workers die with the daemon (PR_SET_PDEATHSIG, set by a spawner thread that lives as
// long as the group) and with the group: the destructor closes the channels, waits up to
// `grace` for the worker to stop its plugins, then kills it.
//
// Thread safety: Call may be called concurrently from any number of threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "os/sandbox.h"
#include "plugins/plugin.h"
#include "worker.pb.h"

namespace archivum::plugins::process {

class Spawner;
struct Worker;

class WorkerGroup {
 public:
  struct PluginSpec {
    std::filesystem::path file;
    std::string config_json = "{}";
    std::filesystem::path data_dir;  // may be empty
    Routing routing;                 // which files go to it
    // Read in create (the configuration's path keys): the group's sandbox may read them.
    std::vector<std::filesystem::path> read_paths;
  };

  struct Options {
    std::string name;  // the group's name, for logs and ListPlugins
    std::filesystem::path worker_exe;
    bool probe = false;  // a probe worker: loads no plugin, answers ProbeRequests
    std::vector<PluginSpec> plugins;
    OutputLimits limits;
    uint32_t slots = 2;
    os::SandboxPolicy sandbox;
    std::chrono::milliseconds grace{500};
    // How long the worker may take to confine itself and start its plugins.
    std::chrono::milliseconds start_timeout{60000};
  };

  // How one start of the group's plugins went: per plugin (in Options order), the manifest the
  // worker read or the reason it could not start ("create failed: ...", "crashed while
  // starting: SIGSEGV").
  struct Started {
    std::vector<StatusOr<Manifest>> plugins;
    std::vector<std::string> sandbox_warnings;
  };

  // Starts the first worker. A plugin that crashes or hangs while it starts is left out (its
  // entry says why) and the worker is started again without it. Errors: the worker executable
  // could not be run, or could not confine itself (FAILED_PRECONDITION with the reason): then no
  // plugin of the group runs.
  static StatusOr<std::unique_ptr<WorkerGroup>> Start(Options options, Started* started);

  ~WorkerGroup();
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  struct CallResult {
    enum Kind {
      kReplied,    // `reply` holds the worker's answer
      kKilled,     // this call killed its worker: `death` says how, `step` where
      kCancelled,  // the caller cancelled and the call did not return in time: worker killed
      kFailed,     // no worker could run the call (`death` says why); nothing is blamed
    };
    Kind kind = kFailed;
    worker::Reply reply;
    std::vector<os::UniqueFd> fds;  // the reply's descriptors (spools of streamed children)
    std::string death;              // "crashed: SIGSEGV", "crashed: exited with status 0", ...
    bool timeout = false;           // kKilled by the watchdog at the step's limit
    int32_t step = -1;  // kKilled: the step (of a ProcessRequest) that was running; -1 unknown
  };

  // Sends `request` (with `fd`, if not -1, as the file) to a worker and waits for the reply,
  // enforcing the limits the worker publishes. `cancelled` may be empty; it is polled while the
  // call runs. Never throws.
  CallResult Call(const worker::Request& request, int fd,
                  const std::function<bool()>& cancelled) const;

  const std::string& name() const { return options_.name; }
  // Workers started to replace one that died.
  uint64_t restarts() const;
  const std::vector<std::string>& sandbox_warnings() const { return sandbox_warnings_; }

 private:
  explicit WorkerGroup(Options options);

  // Starts a worker with the plugins not excluded; fills `started` (per plugin) and sets
  // `*crashed_plugin` to the index of a plugin that crashed or hung while starting (-1 none).
  StatusOr<std::shared_ptr<Worker>> SpawnWorker(const std::vector<bool>& excluded, Started* started,
                                                int* crashed_plugin) const;

  // One attempt: a slot of the current worker (replacing a dead one first).
  enum class Attempt { kDone, kRetry, kRetryAlone };
  Attempt CallOnce(const std::string& payload, int fd, const std::function<bool()>& cancelled,
                   bool alone, CallResult* result) const;

  // Determines (once) how `worker` died and which slot is to blame (-1: none can be).
  void Settle(Worker& worker) const;

  const Options options_;
  // Plugins left out because they crashed while starting. GUARDED_BY(mu_) once started.
  mutable std::vector<bool> excluded_;
  std::vector<std::string> sandbox_warnings_;
  std::unique_ptr<Spawner> spawner_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::shared_ptr<Worker> current_;  // GUARDED_BY(mu_); null or dead: start another
  mutable bool spawning_ = false;            // GUARDED_BY(mu_)
  mutable uint32_t consecutive_deaths_ = 0;  // GUARDED_BY(mu_)
  mutable std::chrono::steady_clock::time_point next_spawn_{};  // GUARDED_BY(mu_)
  mutable uint64_t restarts_ = 0;                               // GUARDED_BY(mu_)
  mutable bool stopping_ = false;                               // GUARDED_BY(mu_)
  // Calls that retry alone take it exclusively; every other call shares it.
  mutable std::shared_mutex alone_mu_;
};

// "SIGSEGV" for SIGSEGV; "signal N" for a number without a name.
std::string SignalName(int sig);

}  // namespace archivum::plugins::process
