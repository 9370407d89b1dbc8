// PluginRegistry: discovers, vets and starts the analyzer plugins, and answers for them as a set:
// what became of each (Describe), the query verbs they answer (Query), making their own state
// durable (Flush), and the signature of the set (a changed set re-analyzes files).
//
// Loading never fails as a whole: a plugin that fails any step (trust: ownership and permissions
// of the file and its directory, see trust.h; open: load, entry symbol, ABI version, descriptor;
// duplicate name; sha256 pin; create) is skipped with a log line naming the file and the reason,
// and Describe() lists it as kFailed with that reason. Plugins disabled by configuration are
// listed as kDisabled and not started.
//
// Where a plugin's code runs is the placement's business (Options::placement, plugin.h): the
// registry sees only Plugin. Ownership: the registry owns every Plugin; the destructor destroys
// them in reverse load order. Thread safety: immutable after Load(); every const method is safe to
// call concurrently, also with the plugins' own calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "plugins/manifest.h"
#include "plugins/plugin.h"

namespace archivum::plugins {

// A started plugin with its effective routing (the settings applied to its manifest).
struct LoadedPlugin {
  const Plugin* plugin = nullptr;  // owned by the registry
  std::string id;                  // "name@version"
  // The settings' accept override or the manifest's patterns; the settings' rejects; the
  // smaller of the manifest's and the settings' size limits.
  Routing routing;
  std::optional<std::chrono::milliseconds> timeout;  // per-file budget from the settings
};

enum class PluginState { kLoaded, kFailed, kDisabled };

// What ListPlugins reports about one discovered plugin file.
struct PluginDescription {
  std::string name;         // the manifest's, else the file's stem
  std::string version;      // empty if unknown
  std::string abi_version;  // "major.minor" the plugin requires; empty if unknown
  std::string stage;        // empty unless the manifest was valid
  std::vector<std::string> accepts;
  std::vector<std::string> query_verbs;
  PluginState state = PluginState::kFailed;
  std::string reason;  // why failed or disabled
  std::filesystem::path file;
  std::string description;
  bool thread_safe = false;
  uint64_t calls = 0;  // counters, while loaded
  uint64_t errors = 0;
  uint64_t total_time_us = 0;
  // Placement, while loaded: "process" (a sandboxed worker) or "inprocess".
  std::string isolation;
  std::string group;  // the worker group (process placement), e.g. "bundled"
  // Sandbox layers this kernel lacks for the plugin's workers ("seccomp unavailable: ...").
  std::vector<std::string> sandbox_warnings;
  uint64_t crashes = 0;   // calls that killed the worker (signal, exit, broken channel)
  uint64_t timeouts = 0;  // calls whose worker was killed at the deadline
  uint64_t restarts = 0;  // workers started to replace a dead one
};

class PluginRegistry {
 public:
  struct Options {
    // Searched in order; within a directory, *.so files load sorted by file name. Already
    // defaulted by the caller (see DefaultPluginDirectories). Missing directories are logged.
    std::vector<std::filesystem::path> directories;
    std::map<std::string, archivum::config::PluginSettings> settings;  // by plugin name
    // The per-file budget of a plugin whose settings set none (plugins.timeout); unset: none.
    std::optional<std::chrono::milliseconds> default_timeout;
    // <store>/plugins; each plugin gets data_root/<name> (created). Empty: no data directories.
    std::filesystem::path data_root;
    OutputLimits limits;
    // Opens and brings up the plugins; null: in process (inprocess::OpenModule). Not owned; used
    // only during Load.
    Placement* placement = nullptr;
  };

  // Loads every plugin; see the file comment. Never returns null.
  static std::unique_ptr<PluginRegistry> Load(const Options& options);
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;
  ~PluginRegistry();

  // The started plugins, in load order.
  std::span<const LoadedPlugin> loaded() const { return loaded_; }
  size_t loaded_count() const { return loaded_.size(); }

  // Every discovered plugin (loaded, failed, disabled) in load order.
  std::vector<PluginDescription> Describe() const;

  // Dispatches a query verb to every loaded plugin that registers it and merges the hits, best
  // score first. NOT_FOUND if no plugin registers the verb; if every such plugin fails, the first
  // failure (INVALID_ARGUMENT, NOT_FOUND or INTERNAL, message "plugin <name>: <reason>").
  StatusOr<std::vector<QueryHit>> Query(std::string_view verb, std::string_view argument) const;

  // Flushes every loaded plugin that keeps state of its own (Manifest::flushes), so that what
  // they keep for the files processed so far survives a crash; every one is flushed even if
  // one fails, and the result is the first failure, INTERNAL "plugin <name>: flush failed:
  // <reason>". Returns at once when no plugin flushes.
  Status Flush() const;

  // Query verbs the loaded plugins register, sorted, without duplicates.
  std::vector<std::string> QueryVerbs() const;

  // Hex digest of the loaded plugins' names, versions, ABI versions, config JSON (without the
  // top-level keys a plugin declares as tuning keys) and routing settings: changes when a plugin
  // is added, removed, upgraded or reconfigured in a way that may change results.
  std::string Signature() const;

 private:
  struct Entry;

  PluginRegistry();
  void LoadFile(const std::filesystem::path& file, const Options& options,
                std::map<std::string, std::filesystem::path>* names);

  std::vector<std::unique_ptr<Entry>> entries_;  // load order; immutable after Load
  std::vector<LoadedPlugin> loaded_;             // the kLoaded entries, in load order
};

// The routing `settings` give a plugin with `manifest`: the settings' accept patterns or else the
// manifest's, the settings' rejects, the smaller of the two size limits (0: none).
Routing EffectiveRouting(const Manifest& manifest, const config::PluginSettings& settings);

// <dir of /proc/self/exe>/../lib/archivum/plugins: the bundled plugins, both in the build tree
// and in the installed layout. Empty if the executable's path cannot be resolved.
std::vector<std::filesystem::path> DefaultPluginDirectories();

}  // namespace archivum::plugins
