// Watch mode (config ingest.watch): keeps the catalog current for a set of directory trees with
// inotify, so that no cron job has to re-ingest them.
//
// For each watched root: every directory below it gets an inotify watch (inotify.h), then the
// root is ingested incrementally (unchanged files are skipped), so that nothing changed before
// the watches were in place is missed. From then on:
// - a created, written or touched path is reconciled once no event has touched it for `settle`
//   (debounced per path; repeated events are coalesced): a file or directory that exists is
//   ingested incrementally (a new or changed file is analyzed, an unchanged one skipped, gone
//   ones below a directory removed), a path that no longer exists is removed with everything
//   cataloged below it. Many settled paths of one directory are reconciled as that directory.
// - a new directory is watched as it appears, and reconciled as a whole, which catches the files
//   created in it before its watch was added.
// - a rename or move inside the watched trees (IN_MOVED_FROM and IN_MOVED_TO with one cookie)
//   moves the documents in the catalog (store::Catalog::Rename: identity, findings and text
//   kept; a directory's documents and archive members move with it), then reconciles the new
//   path, which analyzes nothing whose size and mtime are unchanged. A move out of the trees is
//   a delete, a move in from outside is a creation.
// - a queue overflow (IN_Q_OVERFLOW, or more than Options::max_pending paths waiting) or a
//   watch that cannot be added (ENOSPC: fs.inotify.max_user_watches) logs a warning and rescans
//   the affected tree (an incremental ingest, which also removes what is gone): never a silent
//   gap.
// - a root that is deleted or moved away has its documents removed; it is polled for every
//   Options::root_poll and, once it is back, watched and ingested again.
// fanotify is not used: its directory-event mode needs CAP_SYS_ADMIN, which the daemon does not
// have (and must not need); inotify needs no privilege.
//
// Threads: one thread reads the kernel's events and keeps the watches (it never blocks on the
// catalog or the pipeline), one worker runs the reconciles, renames and rescans in the order the
// events asked for them. Neither is an API thread: calls are never blocked by the watcher.
//
// Test hooks (environment variables read by the daemon when it creates the watcher, see
// OptionsFromEnvironment): ARCHIVUM_TEST_WATCH_MAX_WATCHES caps the number of inotify watches,
// so that the watch-limit path runs without lowering the system's max_user_watches;
// ARCHIVUM_TEST_WATCH_MAX_PENDING caps the paths waiting to settle, forcing the overflow path.
//
// Thread safety: SetRoots, GetStatus and Stop are safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aichemist_archivum.pb.h"
#include "common/call_context.h"
#include "common/status.h"
#include "store/catalog.h"

namespace archivum::watch {

enum class RootState {
  kScanning,        // being ingested (at start, after an overflow, a watch limit, a recreation)
  kWatching,        // watched; changes are applied as they settle
  kWaitingForRoot,  // the directory is gone; polled until it reappears
  kFailed,          // cannot be watched; see RootStatus::reason
};

enum class RescanReason { kNone, kInitial, kOverflow, kWatchLimit, kRootRecreated };

// What GetStatus reports about one watched root.
struct RootStatus {
  std::filesystem::path path;  // as configured
  RootState state = RootState::kScanning;
  std::string reason;           // why kWaitingForRoot or kFailed
  uint64_t directories = 0;     // directories with an inotify watch
  uint64_t pending = 0;         // paths waiting to settle or to be processed
  uint64_t events = 0;          // inotify events taken from the kernel for this root
  uint64_t files_analyzed = 0;  // files the watcher's ingests analyzed (new or changed)
  uint64_t files_removed = 0;   // documents removed (deleted, moved out)
  uint64_t moves = 0;           // renames and moves applied in the catalog
  uint64_t rescans = 0;         // whole-tree ingests, the initial one included
  int64_t last_rescan_ns = 0;   // wall clock, ns since the Unix epoch; 0 = none finished yet
  RescanReason last_rescan_reason = RescanReason::kNone;
  std::string last_error;  // the latest problem (an ingest error, a watch that failed), if any
};

class Watcher {
 public:
  // Runs an incremental ingest of `path` (absolute and resolved, a file or a directory under a
  // watched root) through the pipeline, with the same limits, plugins, quarantine and admission
  // as an Ingest call, and fills `summary`. Called on the watcher's worker thread.
  using IngestFn = std::function<Status(const std::filesystem::path& path, const CallContext& ctx,
                                        aichemist_archivum::IngestSummary* summary)>;

  struct Options {
    std::vector<std::filesystem::path> roots;  // ingest.watch
    std::chrono::milliseconds settle{1000};    // ingest.watch_settle
    std::chrono::milliseconds root_poll{250};  // how often a missing root is looked for
    IngestFn ingest;                           // required
    store::Catalog* catalog = nullptr;         // required: renames and removals; must outlive
    // Called on the reading thread with the number of events each read took from the kernel
    // (the metrics' archivum_watch_events_total). Must be cheap and must not call the Watcher.
    std::function<void(uint64_t)> on_events;
    // inotify watches this watcher may hold; 0 = as many as the kernel allows. A test hook.
    uint64_t max_watches = 0;
    // Paths waiting to settle before the watcher gives up on them and rescans (an overflow).
    uint64_t max_pending = 100000;
  };

  // `options` with the test hooks of the environment applied (see the file comment).
  static Options OptionsFromEnvironment(Options options);

  // Starts the threads; the roots are watched and ingested in the background. Errors: INTERNAL
  // if inotify is unavailable (e.g. the per-user instance limit, fs.inotify.max_user_instances).
  static StatusOr<std::unique_ptr<Watcher>> Start(Options options);

  ~Watcher();  // Stop()
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Replaces the watched roots (after a configuration reload): added ones are watched and
  // ingested, removed ones lose their watches (their documents stay cataloged), the others are
  // left as they are. Returns at once; the change is applied by the reading thread.
  void SetRoots(std::vector<std::filesystem::path> roots);

  // The roots in configuration order.
  std::vector<RootStatus> GetStatus() const;
  std::chrono::milliseconds settle() const;

  // Stops both threads, cancelling an ingest in progress (what it committed stays). Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit Watcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "WATCHING" ... and "initial" ..., for logs and the CLI.
const char* RootStateName(RootState state);
const char* RescanReasonName(RescanReason reason);

}  // namespace archivum::watch
