// ProcessPlacement: plugins in sandboxed worker processes (archivum-worker), the default
// placement (plugins.isolation: process). The same plugin libraries and ABI as in process; only
// where their code runs changes.
//
// Every plugin file is first opened by a probe worker, which loads it confined and reads its
// manifest, so not even a library's constructors run in the daemon. A plugin whose settings say
// `isolation: inprocess` (or all of them, when that is the default) is then opened in this
// process instead. The others join an isolation group: the settings' `group`, else "bundled" for
// the plugins of the bundled directory, else a group of their own named after the plugin. Each
// group's plugins run in one worker (worker_group.h) that starts them in Finish; a file's
// consecutive steps in one group travel in one request (Plugin::batcher).
//
// Crashes and hangs: the call that crashed or hung its worker gets a failure naming it
// ("crashed: SIGSEGV", "timeout after 2s"), is counted on its plugin, and is blamed on it (the
// pipeline quarantines the content); a plugin that crashes `max_crashes` times within
// `crash_window` is taken out of service (Plugin::MarkFailed) and the daemon serves on without it.
//
// Thread safety: Open and Finish as Placement (one thread); the plugins it makes are thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "os/sandbox.h"
#include "plugins/plugin.h"

namespace archivum::plugins::process {

struct GroupHandle;

struct ProcessPlacementOptions {
  std::filesystem::path worker_exe;                        // archivum-worker
  bool inprocess_by_default = false;                       // plugins.isolation: inprocess
  std::map<std::string, config::PluginSettings> settings;  // by plugin name
  // The plugin directories (the probe reads them) and which of them hold the bundled plugins.
  std::vector<std::filesystem::path> directories;
  std::vector<std::filesystem::path> bundled_directories;
  OutputLimits limits;
  uint32_t slots = 4;  // calls a group's worker runs at once
  // Confinement of every worker: the system trees it may read (libraries, data); the plugins'
  // directories and data directories are added per group. data_size is the default of
  // plugins.settings.NAME.memory.
  os::SandboxPolicy sandbox;
  std::chrono::milliseconds grace{500};
  std::chrono::milliseconds start_timeout{60000};
  uint32_t max_crashes = 3;
  std::chrono::seconds crash_window{600};
};

class ProcessPlacement final : public Placement {
 public:
  explicit ProcessPlacement(ProcessPlacementOptions options);
  ~ProcessPlacement() override;

  StatusOr<std::unique_ptr<PluginModule>> Open(const std::filesystem::path& file,
                                               Manifest* partial) override;
  std::vector<std::pair<const Plugin*, std::string>> Finish() override;

 private:
  friend class ProcessModule;
  // The group a plugin joins (created on first use).
  std::shared_ptr<GroupHandle> GroupFor(const std::string& name, const std::filesystem::path& file);
  // Reads `file`'s manifest in the probe worker; on a refusal, `*manifest` holds what could be
  // read before it.
  Status Probe(const std::filesystem::path& file, Manifest* manifest);

  ProcessPlacementOptions options_;
  std::map<std::string, std::shared_ptr<GroupHandle>> groups_;
  std::unique_ptr<class WorkerGroup> probe_;
  std::string probe_error_;  // the probe worker could not start: every Open fails with it
};

// The standard read-only trees of a worker's sandbox: the system's libraries and data
// (/usr, /lib*, /etc/ld.so.cache, /etc/localtime, ...) that exist on this machine.
std::vector<std::filesystem::path> SystemReadOnlyPaths();

// <dir of /proc/self/exe>/archivum-worker.
std::filesystem::path DefaultWorkerPath();

}  // namespace archivum::plugins::process
