#include "watch/watcher.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "os/unique_fd.h"
#include "pipeline/document_analyzer.h"
#include "watch/inotify.h"

namespace archivum::watch {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How long an IN_MOVED_FROM waits for its IN_MOVED_TO. The kernel queues the pair back to back,
// so the wait only matters when a read ends between them; one that never comes is a move out.
constexpr std::chrono::milliseconds kMoveGrace{100};
// Unpaired moves held at most; past that the oldest is taken as a move out at once.
constexpr size_t kMaxMoves = 4096;
// At least this many settled paths of one directory are reconciled as the directory (one walk
// and one batched ingest instead of one per file: a burst of new files).
constexpr size_t kCoalesceAt = 16;

bool IsAtOrBelow(const std::string& path, const std::string& dir) {
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || dir == "/" || path[dir.size()] == '/';
}

std::string Join(const std::string& dir, std::string_view name) {
  std::string p = dir;
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t EnvCount(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return 0;
  uint64_t n = 0;
  const std::string_view s(v);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return 0;
  return n;
}

// The work the reading thread hands the worker, in event order.
struct Op {
  enum class Kind { kReconcile, kRename, kRescan, kRemoveRoot };
  Kind kind = Kind::kReconcile;
  std::string path;  // reconciled path; rename source; rescanned or removed root (resolved)
  std::string to;    // rename destination
  std::string root;  // the root (resolved) it is accounted to
  RescanReason reason = RescanReason::kNone;
};

}  // namespace

struct Watcher::Impl {
  Options options;
  Inotify inotify;
  os::UniqueFd wake;  // eventfd: Stop and SetRoots wake the reading thread

  // Shared between the threads and the callers.
  mutable std::mutex mu;
  std::condition_variable work_cv;
  std::deque<Op> queue;                     // guarded by mu
  std::set<std::string> queued_reconciles;  // guarded by mu: kReconcile paths in `queue`
  // Status by resolved root, and the configured order (resolved, configured).
  std::map<std::string, RootStatus> status;              // guarded by mu
  std::vector<std::pair<std::string, fs::path>> order;   // guarded by mu
  std::optional<std::vector<fs::path>> requested_roots;  // guarded by mu: from SetRoots
  std::map<std::string, uint64_t> in_work;               // guarded by mu: queued + running
  std::map<std::string, uint64_t> settling;              // guarded by mu: as pending_of
  std::set<std::string> queued_rescans;                  // guarded by mu: not started yet
  bool stopping = false;                                 // guarded by mu
  std::atomic<bool> cancel{false};

  // The reading thread's own state.
  struct Dir {
    std::string path;
    std::string root;
  };
  struct Root {
    int wd = -1;           // the root directory's own watch (-1: not watched)
    bool waiting = false;  // gone; polled
    bool nested = false;   // inside another watched root: not watched on its own
  };
  struct Pending {
    Clock::time_point due;
    std::string root;
  };
  struct Move {
    std::string from;
    std::string root;
    bool dir = false;
    Clock::time_point due;
  };
  std::unordered_map<int, Dir> dirs;           // by watch descriptor
  std::map<std::string, int> wd_of;            // by path, for subtrees
  std::map<std::string, Root> roots;           // by resolved path
  std::map<std::string, Pending> pending;      // paths waiting to settle
  std::map<std::string, uint64_t> pending_of;  // count of `pending` by root
  std::map<uint32_t, Move> moves;              // unpaired IN_MOVED_FROM by cookie
  Clock::time_point next_root_poll = Clock::now();
  bool dirs_changed = true;  // `dirs` changed since the status last counted them

  std::thread reader;
  std::thread worker;

  Impl(Options o, Inotify in, os::UniqueFd w)
      : options(std::move(o)), inotify(std::move(in)), wake(std::move(w)) {}

  // ---- status helpers (any thread) ----

  template <typename Fn>
  void Update(const std::string& root, Fn&& fn) {
    std::lock_guard lock(mu);
    auto it = status.find(root);
    if (it != status.end()) fn(it->second);
  }

  void Enqueue(Op op) {
    std::lock_guard lock(mu);
    if (op.kind == Op::Kind::kReconcile && !queued_reconciles.insert(op.path).second) return;
    if (op.kind == Op::Kind::kRescan && !queued_rescans.insert(op.path).second) return;
    ++in_work[op.root];
    queue.push_back(std::move(op));
    work_cv.notify_one();
  }

  void Wake() {
    const uint64_t one = 1;
    (void)!::write(wake.get(), &one, sizeof one);
  }

  // ---- the reading thread ----

  // Whether a rescan of the whole of `root` waits to start: it will see every change made
  // before it does, so changes under it need no reconcile of their own.
  bool RescanQueued(const std::string& root) const {
    std::lock_guard lock(mu);
    return queued_rescans.count(root) > 0;
  }

  void ForgetWatch(int wd) {
    auto it = dirs.find(wd);
    if (it == dirs.end()) return;
    auto by_path = wd_of.find(it->second.path);
    if (by_path != wd_of.end() && by_path->second == wd) wd_of.erase(by_path);
    dirs.erase(it);
    dirs_changed = true;
  }

  // Watches `top` and every directory below it (never through a symbolic link). On the watch
  // limit, stops and asks for a rescan of `top`'s tree, so that what its unwatched directories
  // hold is cataloged now, says so in the log and the status, and returns true.
  bool WatchTree(const std::string& top, const std::string& root) {
    std::vector<std::string> stack{top};
    while (!stack.empty()) {
      std::string dir = std::move(stack.back());
      stack.pop_back();
      int wd = -ENOSPC;
      if (options.max_watches == 0 || dirs.size() < options.max_watches || wd_of.count(dir) > 0) {
        wd = inotify.AddWatch(dir, DirectoryWatchMask());
      }
      if (wd == -ENOSPC) {
        const std::string message =
            "inotify watch limit reached at " + dir +
            " (raise fs.inotify.max_user_watches); directories below " + top +
            " are not all watched: rescanning it, and changes in unwatched directories are "
            "caught by the next rescan only";
        spdlog::warn("watch: {}", message);
        Update(root, [&](RootStatus& s) { s.last_error = message; });
        SetScanning(root);
        Enqueue({Op::Kind::kRescan, top, "", root, RescanReason::kWatchLimit});
        return true;
      }
      if (wd < 0) {
        // Gone or replaced meanwhile: its parent's events report that. Anything else (EACCES)
        // leaves a directory unwatched, which the status says.
        if (wd != -ENOENT && wd != -ENOTDIR) {
          const std::string message =
              "cannot watch " + dir + ": " + std::strerror(-wd) + "; its changes are not seen";
          spdlog::warn("watch: {}", message);
          Update(root, [&](RootStatus& s) { s.last_error = message; });
        }
        continue;
      }
      auto existing = dirs.find(wd);
      if (existing != dirs.end() && existing->second.path != dir) ForgetWatch(wd);
      dirs[wd] = Dir{dir, root};
      wd_of[dir] = wd;
      dirs_changed = true;
      if (dir == root) roots[root].wd = wd;
      std::error_code ec;
      for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
           !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
          stack.push_back(it->path().string());
        }
      }
    }
    return false;
  }

  // Removes the watches of `top` and every directory below it.
  void UnwatchTree(const std::string& top) {
    std::vector<int> wds;
    for (auto it = wd_of.lower_bound(top); it != wd_of.end() && IsAtOrBelow(it->first, top); ++it) {
      wds.push_back(it->second);
    }
    for (int wd : wds) {
      inotify.RemoveWatch(wd);
      ForgetWatch(wd);
    }
  }

  void SetScanning(const std::string& root) {
    Update(root, [](RootStatus& s) {
      if (s.state != RootState::kWaitingForRoot) s.state = RootState::kScanning;
    });
  }

  void DropPendingUnder(const std::string& top) {
    for (auto it = pending.lower_bound(top); it != pending.end() && IsAtOrBelow(it->first, top);) {
      --pending_of[it->second.root];
      it = pending.erase(it);
    }
  }

  // Marks `path` changed: it is reconciled once `settle` passes without another event on it.
  void Touch(const std::string& path, const std::string& root) {
    if (RescanQueued(root)) return;
    auto [it, added] = pending.try_emplace(path);
    it->second.due = Clock::now() + options.settle;
    if (added) {
      it->second.root = root;
      ++pending_of[root];
    }
    if (pending_of[root] > options.max_pending) {
      Overflow(root, "more than " + std::to_string(options.max_pending) +
                         " changed paths waiting to settle");
    }
  }

  // The kernel's queue (or ours) lost events of `root`: everything under it is rescanned.
  void Overflow(const std::string& root, const std::string& why) {
    spdlog::warn("watch: {} under {}: events were lost; rescanning the whole tree", why, root);
    DropPendingUnder(root);
    Update(root, [&](RootStatus& s) { s.last_error = why + "; rescanned"; });
    // Directories created meanwhile get their watches; the limit's rescan covers the tree too.
    if (WatchTree(root, root)) return;
    SetScanning(root);
    Enqueue({Op::Kind::kRescan, root, "", root, RescanReason::kOverflow});
  }

  // Starts watching `root` if it is a directory, else waits for it.
  void StartRoot(const std::string& root, RescanReason reason) {
    struct stat st;
    if (::lstat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      roots[root].waiting = true;
      Update(root, [](RootStatus& s) {
        s.state = RootState::kWaitingForRoot;
        s.reason = "no directory there; waiting for it to appear";
      });
      return;
    }
    roots[root].waiting = false;
    Update(root, [](RootStatus& s) {
      s.state = RootState::kScanning;
      s.reason.clear();
    });
    // On the watch limit, its rescan is the initial ingest.
    if (!WatchTree(root, root)) Enqueue({Op::Kind::kRescan, root, "", root, reason});
  }

  // The root directory itself was deleted or moved away.
  void RootGone(const std::string& root) {
    Root& r = roots[root];
    if (r.waiting) return;
    spdlog::warn(
        "watch: {} was deleted or moved away; its documents are removed, and it is "
        "watched again when it reappears",
        root);
    UnwatchTree(root);
    r.wd = -1;
    r.waiting = true;
    DropPendingUnder(root);
    for (auto it = moves.begin(); it != moves.end();) {
      it = it->second.root == root ? moves.erase(it) : std::next(it);
    }
    Update(root, [](RootStatus& s) {
      s.state = RootState::kWaitingForRoot;
      s.reason = "the directory was deleted or moved away; waiting for it to reappear";
    });
    Enqueue({Op::Kind::kRemoveRoot, root, "", root, RescanReason::kNone});
    next_root_poll = Clock::now() + options.root_poll;
  }

  // A move inside the watched trees (possibly from one root's tree to another's), accounted to
  // the root it went to.
  void Rename(const std::string& from, const std::string& to, bool is_dir,
              const std::string& to_root) {
    if (is_dir) {
      // The moved directories keep their watches: only their paths change.
      std::vector<std::pair<std::string, int>> moved;
      for (auto it = wd_of.lower_bound(from); it != wd_of.end() && IsAtOrBelow(it->first, from);) {
        moved.emplace_back(it->first, it->second);
        it = wd_of.erase(it);
      }
      for (auto& [path, wd] : moved) {
        const std::string now = to + path.substr(from.size());
        dirs[wd] = Dir{now, to_root};
        wd_of[now] = wd;
        dirs_changed = true;
      }
    }
    // Changes waiting under the old path now wait under the new one.
    std::vector<std::string> rekeyed;
    for (auto it = pending.lower_bound(from);
         it != pending.end() && IsAtOrBelow(it->first, from);) {
      rekeyed.push_back(to + it->first.substr(from.size()));
      --pending_of[it->second.root];
      it = pending.erase(it);
    }
    Enqueue({Op::Kind::kRename, from, to, to_root, RescanReason::kNone});
    for (const std::string& p : rekeyed) Touch(p, to_root);
    Touch(to, to_root);  // verified (and analyzed if changed) once it settles
  }

  // A move whose IN_MOVED_TO never came: it left the watched trees.
  void MovedOut(const Move& m) {
    if (m.dir) UnwatchTree(m.from);
    Touch(m.from, m.root);
  }

  void Handle(const Event& ev) {
    if (ev.mask & IN_Q_OVERFLOW) {
      for (const auto& [r, root] : roots) {
        if (!root.waiting && !root.nested) Overflow(r, "the kernel's inotify queue overflowed");
      }
      return;
    }
    auto found = dirs.find(ev.wd);
    if (found == dirs.end()) return;  // a watch removed meanwhile
    const Dir dir = found->second;
    Update(dir.root, [](RootStatus& s) { ++s.events; });
    const bool is_dir = (ev.mask & IN_ISDIR) != 0;
    if (ev.mask & IN_IGNORED) {
      ForgetWatch(ev.wd);
      if (dir.path == dir.root && roots.count(dir.root) && roots[dir.root].wd == ev.wd) {
        roots[dir.root].wd = -1;
        RootGone(dir.root);
      }
      return;
    }
    if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
      // A directory below a root is reported by its parent's IN_DELETE or IN_MOVED_*.
      if (dir.path == dir.root) RootGone(dir.root);
      return;
    }
    const std::string path = ev.name.empty() ? dir.path : Join(dir.path, ev.name);
    if (ev.mask & IN_MOVED_FROM) {
      if (moves.size() >= kMaxMoves) {
        MovedOut(moves.begin()->second);
        moves.erase(moves.begin());
      }
      moves[ev.cookie] = Move{path, dir.root, is_dir, Clock::now() + kMoveGrace};
      return;
    }
    if (ev.mask & IN_MOVED_TO) {
      auto m = moves.find(ev.cookie);
      if (m != moves.end()) {
        const Move from = std::move(m->second);
        moves.erase(m);
        Rename(from.from, path, is_dir, dir.root);
        return;
      }
      if (is_dir) WatchTree(path, dir.root);  // moved in from outside: new
      Touch(path, dir.root);
      return;
    }
    if (ev.mask & IN_CREATE) {
      if (is_dir) WatchTree(path, dir.root);
      Touch(path, dir.root);
      return;
    }
    // Events about a watched directory itself (its attributes) change nothing cataloged.
    if (ev.name.empty()) return;
    if (ev.mask & (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE)) Touch(path, dir.root);
  }

  // Hands the settled paths to the worker; many of one directory go as the directory.
  void ReleaseSettled(Clock::time_point now) {
    for (auto it = moves.begin(); it != moves.end();) {
      if (it->second.due <= now) {
        MovedOut(it->second);
        it = moves.erase(it);
      } else {
        ++it;
      }
    }
    std::map<std::string, std::vector<std::string>> by_parent;
    std::map<std::string, std::string> root_of;
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->second.due > now) {
        ++it;
        continue;
      }
      by_parent[ParentOf(it->first)].push_back(it->first);
      root_of[it->first] = it->second.root;
      --pending_of[it->second.root];
      it = pending.erase(it);
    }
    for (auto& [parent, paths] : by_parent) {
      const std::string& root = root_of[paths.front()];
      if (paths.size() >= kCoalesceAt && IsAtOrBelow(parent, root)) {
        Enqueue({Op::Kind::kReconcile, parent, "", root, RescanReason::kNone});
        continue;
      }
      for (const std::string& p : paths) {
        Enqueue({Op::Kind::kReconcile, p, "", root_of[p], RescanReason::kNone});
      }
    }
  }

  // Applies a SetRoots request.
  void ApplyRoots(const std::vector<fs::path>& configured) {
    std::vector<std::pair<std::string, fs::path>> wanted;
    for (const fs::path& c : configured) {
      std::error_code ec;
      fs::path resolved = fs::weakly_canonical(c, ec);
      if (ec) resolved = c.lexically_normal();
      std::string r = resolved.string();
      while (r.size() > 1 && r.back() == '/') r.pop_back();
      bool duplicate = false;
      for (const auto& w : wanted) duplicate = duplicate || w.first == r;
      if (!duplicate) wanted.emplace_back(r, c);
    }
    // Removed roots lose their watches and pending changes; their documents stay.
    for (auto it = roots.begin(); it != roots.end();) {
      bool keep = false;
      for (const auto& w : wanted) keep = keep || w.first == it->first;
      if (keep) {
        ++it;
        continue;
      }
      if (!it->second.nested) UnwatchTree(it->first);
      DropPendingUnder(it->first);
      spdlog::info("watch: no longer watching {}", it->first);
      it = roots.erase(it);
    }
    std::vector<std::string> added;
    {
      std::lock_guard lock(mu);
      std::map<std::string, RootStatus> next;
      for (const auto& [r, c] : wanted) {
        auto old = status.find(r);
        if (old != status.end()) {
          next[r] = std::move(old->second);
        } else {
          next[r].path = c;
          added.push_back(r);
        }
      }
      status = std::move(next);
      order = wanted;
    }
    for (const std::string& r : added) {
      // A root inside another is watched as part of it.
      std::string outer;
      for (const auto& [w, c] : wanted) {
        if (w != r && IsAtOrBelow(r, w)) outer = w;
      }
      if (!outer.empty()) {
        roots[r].nested = true;
        Update(r, [&](RootStatus& s) {
          s.state = RootState::kFailed;
          s.reason = "inside the watched directory " + outer + ", which covers it";
        });
        continue;
      }
      spdlog::info("watch: watching {}", r);
      roots[r];
      StartRoot(r, RescanReason::kInitial);
    }
  }

  // Refreshes the status's counts that the reading thread owns.
  void PublishCounts() {
    std::map<std::string, uint64_t> watched;
    if (dirs_changed) {
      for (const auto& [wd, d] : dirs) ++watched[d.root];
    }
    std::lock_guard lock(mu);
    for (auto& [r, s] : status) {
      if (dirs_changed) s.directories = watched[r];
      settling[r] = pending_of[r];
    }
    dirs_changed = false;
  }

  void ReadLoop() {
    for (;;) {
      std::optional<std::vector<fs::path>> requested;
      {
        std::lock_guard lock(mu);
        if (stopping) return;
        requested.swap(requested_roots);
      }
      if (requested) ApplyRoots(*requested);

      const auto now = Clock::now();
      if (now >= next_root_poll) {
        for (auto& [r, root] : roots) {
          if (root.waiting && !root.nested) StartRoot(r, RescanReason::kRootRecreated);
        }
        next_root_poll = now + options.root_poll;
      }
      ReleaseSettled(now);
      PublishCounts();

      // Sleep until the next event, deadline or wake-up.
      Clock::time_point next = Clock::now() + std::chrono::seconds(5);
      for (const auto& [p, pend] : pending) next = std::min(next, pend.due);
      for (const auto& [c, m] : moves) next = std::min(next, m.due);
      for (const auto& [r, root] : roots) {
        if (root.waiting && !root.nested) next = std::min(next, next_root_poll);
      }
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
      struct pollfd fds[2] = {{inotify.fd(), POLLIN, 0}, {wake.get(), POLLIN, 0}};
      const int timeout = static_cast<int>(std::clamp<int64_t>(wait.count() + 1, 0, 5000));
      if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
        spdlog::error("watch: poll: {}", std::strerror(errno));
        return;
      }
      if (fds[1].revents & POLLIN) {
        uint64_t drained = 0;
        (void)!::read(wake.get(), &drained, sizeof drained);
      }
      if (fds[0].revents & POLLIN) {
        const uint64_t n = inotify.Read([this](const Event& ev) { Handle(ev); });
        if (n > 0 && options.on_events) options.on_events(n);
      }
    }
  }

  // ---- the worker ----

  void Remove(const std::string& path, const std::string& root) {
    auto under = options.catalog->ListUnder(path);
    if (!under.ok()) {
      Update(root, [&](RootStatus& s) { s.last_error = under.status().message(); });
      return;
    }
    std::vector<std::string> removals;
    for (const auto& d : *under) {
      if (d.parent.empty()) removals.push_back(d.path);
    }
    if (removals.empty()) return;
    Status st = options.catalog->Commit({}, removals);
    Update(root, [&](RootStatus& s) {
      if (st.ok()) {
        s.files_removed += removals.size();
      } else {
        s.last_error = "removing " + path + ": " + st.message();
      }
    });
  }

  // Runs the pipeline over `path`; false if it does not exist (any more).
  bool Ingest(const std::string& path, const std::string& root) {
    CallContext ctx;
    ctx.cancelled = [this] { return cancel.load(std::memory_order_relaxed); };
    aichemist_archivum::IngestSummary summary;
    Status st = options.ingest(path, ctx, &summary);
    if (st.code() == StatusCode::kNotFound) return false;
    Update(root, [&](RootStatus& s) {
      s.files_analyzed += summary.files_ingested();
      s.files_removed += summary.files_removed();
      if (!st.ok() && st.code() != StatusCode::kCancelled) {
        s.last_error = st.message();
      } else if (summary.errors_size() > 0) {
        s.last_error = summary.errors(0).path() + ": " + summary.errors(0).message();
      }
    });
    if (!st.ok() && st.code() != StatusCode::kCancelled) {
      spdlog::warn("watch: ingesting {}: {}", path, st.message());
    }
    return true;
  }

  void Reconcile(const std::string& path, const std::string& root) {
    struct stat st;
    // A symbolic link is never followed (the walk skips them): whatever was cataloged there is
    // gone.
    const bool exists =
        ::lstat(path.c_str(), &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
    if (!exists || !Ingest(path, root)) Remove(path, root);
  }

  void Run(const Op& op) {
    switch (op.kind) {
      case Op::Kind::kReconcile: Reconcile(op.path, op.root); break;
      case Op::Kind::kRename: {
        store::RenameRequest request;
        request.from = op.path;
        request.to = op.to;
        request.name = pipeline::BaseName(op.to);
        request.ext = pipeline::ExtensionOf(request.name);
        auto moved = options.catalog->Rename(request);
        if (moved.ok()) {
          if (*moved > 0) Update(op.root, [](RootStatus& s) { ++s.moves; });
        } else {
          // The reconcile of the new path that follows catalogs it anew; the old one goes.
          spdlog::warn("watch: moving {} to {} in the catalog: {}", op.path, op.to,
                       moved.status().message());
          Remove(op.path, op.root);
        }
        break;
      }
      case Op::Kind::kRescan: {
        SetScanning(op.root);
        const bool found = Ingest(op.path, op.root);
        Update(op.root, [&](RootStatus& s) {
          if (!found) return;
          ++s.rescans;
          s.last_rescan_ns = WallNs();
          s.last_rescan_reason = op.reason;
          if (s.state == RootState::kScanning) s.state = RootState::kWatching;
        });
        if (found && op.reason != RescanReason::kInitial) {
          spdlog::info("watch: rescanned {} ({})", op.path, RescanReasonName(op.reason));
        }
        break;
      }
      case Op::Kind::kRemoveRoot: {
        struct stat st;
        if (::lstat(op.path.c_str(), &st) != 0) Remove(op.path, op.root);
        break;
      }
    }
  }

  void WorkLoop() {
    for (;;) {
      Op op;
      {
        std::unique_lock lock(mu);
        work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        op = std::move(queue.front());
        queue.pop_front();
        if (op.kind == Op::Kind::kReconcile) queued_reconciles.erase(op.path);
        if (op.kind == Op::Kind::kRescan) queued_rescans.erase(op.path);
      }
      Run(op);
      {
        std::lock_guard lock(mu);
        auto it = in_work.find(op.root);
        if (it != in_work.end() && it->second > 0) --it->second;
      }
    }
  }
};

Watcher::Options Watcher::OptionsFromEnvironment(Options options) {
  if (const uint64_t n = EnvCount("ARCHIVUM_TEST_WATCH_MAX_WATCHES"); n > 0) {
    spdlog::warn("watch: test hook ARCHIVUM_TEST_WATCH_MAX_WATCHES={} caps the inotify watches", n);
    options.max_watches = n;
  }
  if (const uint64_t n = EnvCount("ARCHIVUM_TEST_WATCH_MAX_PENDING"); n > 0) {
    spdlog::warn("watch: test hook ARCHIVUM_TEST_WATCH_MAX_PENDING={} caps the waiting changes", n);
    options.max_pending = n;
  }
  return options;
}

StatusOr<std::unique_ptr<Watcher>> Watcher::Start(Options options) {
  if (!options.ingest || options.catalog == nullptr) {
    return InvalidArgument("the watcher needs an ingest function and a catalog");
  }
  auto inotify = Inotify::Open();
  if (!inotify.ok()) return inotify.status();
  const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  std::vector<fs::path> roots = options.roots;
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*inotify), os::UniqueFd(wake));
  impl->requested_roots = std::move(roots);
  Impl* m = impl.get();
  impl->reader = std::thread([m] { m->ReadLoop(); });
  impl->worker = std::thread([m] { m->WorkLoop(); });
  return std::unique_ptr<Watcher>(new Watcher(std::move(impl)));
}

Watcher::Watcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Watcher::~Watcher() {
  Stop();
}

void Watcher::SetRoots(std::vector<fs::path> roots) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->requested_roots = std::move(roots);
  }
  impl_->Wake();
}

std::vector<RootStatus> Watcher::GetStatus() const {
  std::lock_guard lock(impl_->mu);
  std::vector<RootStatus> out;
  for (const auto& [resolved, configured] : impl_->order) {
    auto it = impl_->status.find(resolved);
    if (it == impl_->status.end()) continue;
    out.push_back(it->second);
    auto settling = impl_->settling.find(resolved);
    auto work = impl_->in_work.find(resolved);
    out.back().pending = (settling == impl_->settling.end() ? 0 : settling->second) +
                         (work == impl_->in_work.end() ? 0 : work->second);
  }
  return out;
}

std::chrono::milliseconds Watcher::settle() const {
  return impl_->options.settle;
}

void Watcher::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cancel = true;
  impl_->Wake();
  impl_->work_cv.notify_all();
  if (impl_->reader.joinable()) impl_->reader.join();
  if (impl_->worker.joinable()) impl_->worker.join();
}

const char* RootStateName(RootState state) {
  switch (state) {
    case RootState::kScanning: return "SCANNING";
    case RootState::kWatching: return "WATCHING";
    case RootState::kWaitingForRoot: return "WAITING_FOR_ROOT";
    case RootState::kFailed: return "FAILED";
  }
  return "FAILED";
}

const char* RescanReasonName(RescanReason reason) {
  switch (reason) {
    case RescanReason::kNone: return "none";
    case RescanReason::kInitial: return "initial";
    case RescanReason::kOverflow: return "overflow";
    case RescanReason::kWatchLimit: return "watch limit";
    case RescanReason::kRootRecreated: return "root recreated";
  }
  return "none";
}

}  // namespace archivum::watch
