// The quarantine as the pipeline consults it: which content each plugin version must not be given
// again because it crashed or timed out on it (store::QuarantineEntry), held in memory and backed
// by the catalog.
//
// An entry is keyed by (content SHA-256, plugin name, plugin version): the same bytes under any
// path, touched or copied, stay quarantined for that version, and a new version of the plugin
// starts with none. Entries leave only through Clear (the operator's `archivum quarantine clear`).
// The catalog is the record: Add and Clear change it first and the memory after, so what is in
// memory is always what a restart would load.
//
// Thread safety: safe for concurrent use. Readers (HasEntriesFor, Contains, CountFor, List) share
// a lock and never wait for the catalog; Add and Clear are serialized with each other.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/catalog.h"

namespace archivum::pipeline {

// OK if `sha256` is a digest filter Clear accepts: empty, or 64 hex digits in either case. Else
// INVALID_ARGUMENT saying why (a value of the wrong length is described, not repeated).
Status CheckDigestFilter(std::string_view sha256);

class Quarantine {
 public:
  // Loads every entry from `catalog`, which must outlive the Quarantine; null keeps the
  // quarantine in memory only (tests). Errors: the catalog's.
  static StatusOr<std::unique_ptr<Quarantine>> Open(store::Catalog* catalog);

  Quarantine(const Quarantine&) = delete;
  Quarantine& operator=(const Quarantine&) = delete;

  // Whether any entry exists for this plugin name and version. Called for every file and plugin:
  // with an empty quarantine it is one atomic load, without taking the lock.
  bool HasEntriesFor(std::string_view plugin, std::string_view version) const;

  // Whether `sha256` (lower-case hex) is quarantined for this plugin name and version.
  bool Contains(std::string_view sha256, std::string_view plugin, std::string_view version) const;

  // The entry for `sha256` (lower-case hex) and this plugin name and version, if any.
  std::optional<store::QuarantineEntry> Find(std::string_view sha256, std::string_view plugin,
                                             std::string_view version) const;

  // Records `entry` in the catalog, then in memory; an entry with the same key gets the new
  // reason, path and time. `sha256` may be in either case (it is stored lower-case); `at_ns` 0
  // means now. Errors: INVALID_ARGUMENT for a sha256 that is not 64 hex digits or an empty
  // plugin name (nothing is recorded); the catalog's (memory is left unchanged).
  Status Add(store::QuarantineEntry entry);

  // Every entry, the most recently recorded first.
  std::vector<store::QuarantineEntry> List() const;

  // Removes the entries of `plugin` with content `sha256` (either case), an empty filter matching
  // any, from the catalog and then from memory; returns how many the catalog removed. Errors:
  // INVALID_ARGUMENT for a sha256 that is neither empty nor 64 hex digits; the catalog's (memory
  // is left unchanged).
  StatusOr<uint64_t> Clear(std::string_view plugin, std::string_view sha256);

  // The number of entries for this plugin name and version (ListPlugins' `quarantined`).
  uint64_t CountFor(std::string_view plugin, std::string_view version) const;

  // The number of entries of every plugin.
  uint64_t size() const { return entries_.load(std::memory_order_acquire); }

 private:
  explicit Quarantine(store::Catalog* catalog) : catalog_(catalog) {}

  // (plugin name, plugin version), looked up without copying the caller's views.
  using PluginKey = std::pair<std::string, std::string>;
  struct PluginKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  // A plugin version's entries by lower-case digest.
  using Digests = std::map<std::string, store::QuarantineEntry, std::less<>>;

  // Puts `entry` (already validated and recorded) in memory. Requires write_mu_.
  void Insert(store::QuarantineEntry entry);

  store::Catalog* const catalog_;  // null: memory only
  // Serializes Add and Clear, so that their catalog writes and memory updates happen in the same
  // order. Held across the catalog write, which readers never wait for.
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  std::map<PluginKey, Digests, PluginKeyLess> by_plugin_;  // guarded by mu_; no empty Digests
  // The number of entries in by_plugin_: written under mu_ (exclusive), read without it.
  std::atomic<uint64_t> entries_{0};
};

}  // namespace archivum::pipeline
