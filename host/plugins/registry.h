// PluginRegistry: discovers, loads, validates and creates the analyzer plugins, and dispatches
// files (Process) and query verbs (Query) to them.
//
// Loading never fails as a whole: a plugin that fails any step (trust: ownership and permissions
// of the file and its directory, see trust.h; load, entry symbol, ABI version, descriptor,
// duplicate name, sha256 pin, create) is skipped with a log line naming the file and
// the reason, and Describe() lists it as FAILED with that reason. Plugins disabled by
// configuration are listed as DISABLED and not created.
//
// Ownership: the registry owns every library and plugin state; the destructor destroys the
// states, then unloads the libraries. Thread safety: immutable after Load(); Describe, Process,
// Query, Flush, Signature and loaded_count are safe to call concurrently.
//
// Time limits: plugins run in-process and cannot be interrupted. A per-plugin timeout
// (PluginSettings::timeout) and FileInput::deadline reach the plugin as archivum_file's deadline;
// a call that returns after it is recorded as a timeout error and its output discarded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aichemist_archivum.pb.h"
#include "common/status.h"
#include "config/config.h"
#include "plugins/results.h"

namespace archivum::plugins {

class PluginInstance;
struct RegistryEntry;

class PluginRegistry {
 public:
  struct Options {
    // Searched in order; within a directory, *.so files load sorted by file name. Already
    // defaulted by the caller (see DefaultPluginDirectories). Missing directories are logged.
    std::vector<std::filesystem::path> directories;
    std::map<std::string, archivum::config::PluginSettings> settings;  // by plugin name
    // <store>/plugins; each plugin gets data_root/<name> (created). Empty: no data directories.
    std::filesystem::path data_root;
    // Bytes one process() call may emit in total (findings, text, tags, children).
    uint64_t max_output_bytes = 256ull << 20;
    // Hits one query() call may emit.
    size_t max_query_hits = 10000;
  };

  // Loads every plugin; see the file comment. Never returns null.
  static std::unique_ptr<PluginRegistry> Load(const Options& options);
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;
  ~PluginRegistry();

  // Every discovered plugin (loaded, failed, disabled) in load order, and the host ABI version.
  void Describe(aichemist_archivum::ListPluginsResponse* out) const;

  // Runs detect -> extract -> analyze over one file. Per stage, in load order, each loaded plugin
  // runs if its accept patterns (or the settings' override) match the current MIME, no reject
  // pattern matches, and the file is within its max_file_size. Detect plugins may set the MIME
  // for later stages; text emitted so far is passed on as archivum_file.text. A plugin failure
  // (error code, escaped exception, timeout) discards that plugin's output and adds an "error"
  // finding; the other plugins still run. Updates per-plugin counters (calls and errors exactly,
  // time as PluginInstance describes: sampled past a plugin's first calls). Stops early (setting
  // ProcessResult::cancelled / deadline_exceeded) when the file is cancelled or past its deadline.
  // The clock is read only when the file has a deadline or the plugin a timeout. The result's
  // analyzers view ids this registry owns (see ProcessResult).
  ProcessResult Process(const FileInput& file) const;

  // Dispatches a query verb to every loaded plugin that registers it and merges the hits, best
  // score first. NOT_FOUND if no plugin registers the verb; if every such plugin fails, the first
  // failure (INVALID_ARGUMENT, NOT_FOUND or INTERNAL, message "plugin <name>: <reason>").
  StatusOr<std::vector<QueryHit>> Query(std::string_view verb, std::string_view argument) const;

  // Calls flush() (ABI 1.2) on every loaded plugin that provides it, so that what the plugins
  // keep of their own for the files Process() has returned for survives a crash. Call before
  // committing those files to the catalog: a later ingest skips a cataloged, unchanged file
  // without running the plugins again. Every such plugin is flushed even if one fails; the
  // result is the first failure, INTERNAL "plugin <name>: flush failed: <reason>". Returns at
  // once when no plugin provides flush. Thread-safe, also concurrently with Process and Query.
  Status Flush() const;

  // Query verbs the loaded plugins register, sorted, without duplicates.
  std::vector<std::string> QueryVerbs() const;

  // Hex digest of the loaded plugins' names, versions, ABI versions, config JSON (without the
  // top-level keys a plugin declares as tuning keys) and routing settings: changes when a plugin
  // is added, removed, upgraded or reconfigured in a way that may change results.
  std::string Signature() const;

  size_t loaded_count() const;

 private:
  PluginRegistry();
  void LoadFile(const std::filesystem::path& file, const Options& options,
                std::map<std::string, std::filesystem::path>* names);

  Options options_;
  std::vector<std::unique_ptr<RegistryEntry>> entries_;  // load order; immutable after Load
};

// <dir of /proc/self/exe>/../lib/archivum/plugins: the bundled plugins, both in the build tree
// and in the installed layout. Empty if the executable's path cannot be resolved.
std::vector<std::filesystem::path> DefaultPluginDirectories();

}  // namespace archivum::plugins
