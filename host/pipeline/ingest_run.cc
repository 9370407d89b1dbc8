#include "pipeline/ingest_run.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/utf8.h"
#include "os/mapped_file.h"
#include "os/walker.h"

namespace archivum::pipeline {
namespace {

using os::MappedFile;
using os::Walk;
using os::WalkEntry;

using Clock = std::chrono::steady_clock;

// A batch is committed when it holds this many documents or bytes of text. Larger batches cost
// the catalog less per document (fewer transactions, WAL frames and full-text segments) and
// hold more memory; the byte bound keeps that in check.
constexpr size_t kBatchDocuments = 2048;
constexpr size_t kBatchBytes = 32u << 20;
// Towards the end of a run, batches shrink to half the documents still to come (down to this
// many), so that the commit left after the last file is analyzed, when only one core has work,
// is small.
constexpr size_t kMinTailBatch = 64;
// Workers run this much nicer than the thread that started the run. The committer is one
// thread against `cores` workers: at equal priority it gets 1/(cores+1) of the machine, less
// than it needs where files carry much text (full-text indexing costs more per byte than the
// analyzers), and falls behind. At a lower weight the workers yield to it, and to the threads
// answering queries, whenever those have work, while using every core otherwise.
constexpr int kWorkerNiceIncrement = 5;
// Workers pause while this many bytes of results wait for the committer: enough to keep them
// busy while a batch commits, without holding more of the tree in memory than that.
constexpr size_t kMaxPendingBytes = 32u << 20;
// The committer is woken when this many results wait (or the bytes above, or the workers are
// done), not for each one: a wake-up per file costs a context switch per file, most of them
// preempting a worker. Events reach a client at most this many files later.
constexpr size_t kWakeEvery = 32;

// Makes the calling thread kWorkerNiceIncrement nicer (on Linux the nice value is per thread).
// Best effort: a failure costs only the ordering.
void LowerPriority() {
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, tid);
  if (nice == -1 && errno != 0) return;
  if (::setpriority(PRIO_PROCESS, tid, std::min(nice + kWorkerNiceIncrement, 19)) != 0) {
    spdlog::debug("ingest: cannot lower a worker's priority: {}", std::strerror(errno));
  }
}

bool IsUnderDir(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

size_t WriteBytes(const AnalyzedDocument& d) {
  size_t n = 0;
  for (const auto& w : d.writes) {
    n += w.text.size() + w.document.path.size() + 128;
    if (w.preview) n += w.preview->bytes.size();
    for (const auto& f : w.findings) n += f.key.size() + f.value.size() + f.plugin.size();
  }
  return n;
}

}  // namespace

IngestRun::IngestRun(store::Catalog* catalog, const DocumentAnalyzer* analyzer,
                     BatchCommitter* committer, const config::Ingest& limits,
                     const CallContext& ctx, const IngestEventSink& sink,
                     pb::IngestSummary* summary, metrics::Metrics* metrics)
    : catalog_(catalog),
      analyzer_(analyzer),
      committer_(committer),
      limits_(limits),
      ctx_(ctx),
      sink_(sink),
      summary_(summary),
      metrics_(metrics) {}

struct IngestRun::Impl {
  // A walk entry and what the walk decided about it.
  struct Found {
    WalkEntry entry;
    bool unchanged = false;  // a file the catalog has with the same size, mtime and signature
  };

  // One analyzed (or failed) file on its way from a worker to the committer.
  struct Outcome {
    const WalkEntry* entry = nullptr;
    Status status;  // not OK: the file could not be read or changed during analysis
    AnalyzedDocument doc;
    size_t bytes = 0;
    BatchCommitter::Mark mark = 0;  // taken before the analysis began
  };

  explicit Impl(IngestRun& r) : run(r) {}
  IngestRun& run;
  // Everything the walk found, in walk order. Only the walking thread appends; elements never
  // move (a deque), so workers may read an entry once they have claimed it from `queue`.
  std::deque<Found> entries;
  std::unordered_map<std::string, store::DocumentRecord> known;
  std::unordered_set<std::string> seen;
  std::vector<std::string> unreadable;
  uint64_t discovered = 0;

  // Walker → worker hand-off: the files to analyze, in walk order.
  std::mutex mu;
  std::condition_variable work_cv;      // workers wait for files to analyze
  std::vector<const WalkEntry*> queue;  // guarded by mu
  size_t claimed = 0;                   // guarded by mu: queue[0, claimed) are taken
  bool walk_done = false;               // guarded by mu: nothing more will be queued
  // Worker → committer hand-off.
  std::condition_variable results_cv;  // committer waits for results
  std::condition_variable space_cv;    // workers wait for room
  std::deque<Outcome> results;         // guarded by mu
  size_t pending_bytes = 0;            // guarded by mu: of results not yet consumed
  size_t space_waiters = 0;            // guarded by mu: workers waiting on space_cv
  size_t active = 0;                   // guarded by mu: workers still running
  std::atomic<bool> stop{false};

  std::vector<store::DocumentWrite> batch;
  std::vector<BatchCommitter::Mark> batch_marks;  // Outcome::mark of each write in batch
  size_t batch_bytes = 0;
  size_t consumed = 0;  // outcomes the committer has taken, of `queue.size()` (final by then)
  bool client_gone = false;

  bool Stopping() const {
    return stop.load(std::memory_order_relaxed) || run.ctx_.IsCancelled() ||
           run.ctx_.PastDeadline();
  }

  // Reports one file's outcome; every file reported passes here once, so the metrics count here.
  bool Emit(const std::string& path, pb::IngestEvent::Outcome outcome, uint32_t findings,
            const std::string& msg) {
    if (run.metrics_ != nullptr) CountOutcome(outcome);
    if (!run.sink_ || client_gone) return !client_gone;
    pb::IngestEvent ev;
    // Protobuf strings must be UTF-8: the walker skips names that are not, and shows them escaped.
    ev.set_path(EscapeInvalidUtf8(path));
    ev.set_outcome(outcome);
    ev.set_findings(findings);
    ev.set_message(EscapeInvalidUtf8(msg));
    *ev.mutable_totals() = *run.summary_;
    ev.mutable_totals()->clear_errors();
    ev.set_files_discovered(discovered);
    if (!run.sink_(ev)) {
      client_gone = true;
      stop = true;
    }
    return !client_gone;
  }

  void CountOutcome(pb::IngestEvent::Outcome outcome) {
    using metrics::IngestOutcome;
    switch (outcome) {
      case pb::IngestEvent::INGESTED: return run.metrics_->CountIngest(IngestOutcome::kIngested);
      case pb::IngestEvent::UNCHANGED: return run.metrics_->CountIngest(IngestOutcome::kUnchanged);
      case pb::IngestEvent::SKIPPED: return run.metrics_->CountIngest(IngestOutcome::kSkipped);
      case pb::IngestEvent::REMOVED: return run.metrics_->CountIngest(IngestOutcome::kRemoved);
      default: return run.metrics_->CountIngest(IngestOutcome::kFailed);
    }
  }

  void RecordError(const std::string& path, const Status& st) {
    auto* s = run.summary_;
    if (s->errors_size() < static_cast<int>(run.limits_.max_reported_errors)) {
      auto* err = s->add_errors();
      err->set_path(EscapeInvalidUtf8(path));
      err->set_code(static_cast<int32_t>(st.code()));
      err->set_message(EscapeInvalidUtf8(st.message()));
    }
  }

  Status Flush() {
    if (batch.empty()) return Status::Ok();
    BatchCommitter::FlushReport report;
    Status st = run.committer_->Commit(batch, batch_marks, &report);
    if (!report.flush.ok()) {
      auto* s = run.summary_;
      s->set_plugin_errors(s->plugin_errors() + 1);
      RecordError(batch.front().document.path,
                  Status(report.flush.code(),
                         report.flush.message() + "; the next ingest analyzes the " +
                             std::to_string(batch.size()) + " documents of this batch again"));
    } else if (report.exposed > 0) {
      RecordError(report.first_exposed,
                  Internal("a plugin flush failed while " + std::to_string(report.exposed) +
                           " documents of this batch were being analyzed, so what the plugins "
                           "keep for them may be lost; the next ingest analyzes them again"));
    }
    batch.clear();
    batch_marks.clear();
    batch_bytes = 0;
    return st;
  }

  // The next queued file for a worker, waiting while the walk may still queue one; nullptr when
  // there is none left or the run is stopping.
  const WalkEntry* Claim() {
    std::unique_lock lock(mu);
    work_cv.wait(lock, [&] { return claimed < queue.size() || walk_done; });
    if (claimed == queue.size() || Stopping()) return nullptr;
    return queue[claimed++];
  }

  // Whether the committer should wake: see kWakeEvery. Requires mu.
  bool CommitterHasWork() const {
    return results.size() >= kWakeEvery || pending_bytes >= kMaxPendingBytes ||
           (active == 0 && !results.empty());
  }

  // Ends the hand-off to the workers; with `abandon`, they also stop waiting for room for
  // results nobody will consume (the walk failed).
  void EndWalk(bool abandon) {
    {
      std::lock_guard lock(mu);
      walk_done = true;
      if (abandon) stop = true;
    }
    work_cv.notify_all();
    space_cv.notify_all();
  }

  // Worker body: analyzes queued files until there are none left.
  void Work() {
    LowerPriority();
    while (const WalkEntry* claimed_entry = Claim()) {
      const WalkEntry& e = *claimed_entry;
      Outcome o;
      o.entry = &e;
      o.mark = run.committer_->BeginAnalysis();
      auto mapped = MappedFile::Open(e.path, run.limits_.max_file_size);
      store::DocumentRecord rec;
      rec.path = e.path;
      rec.mtime_ns = e.mtime_ns;
      rec.ingested_at_ns = WallClockNs();
      if (mapped.ok()) {
        rec.mtime_ns = mapped->mtime_ns();
        const MappedFile& file = *mapped;
        o.doc = run.analyzer_->Analyze(
            std::move(rec), file.bytes(), run.ctx_,
            [&file](uint64_t offset, uint64_t length) { file.DropBehind(offset, length); },
            file.fd());
        mapped->DropAll();
        o.status = mapped->CheckUnchanged();
      } else if (mapped.status().code() == StatusCode::kResourceExhausted) {
        // Too large to analyze: still cataloged, with the reason visible on the document.
        rec.size = e.size;
        rec.name = BaseName(e.path);
        rec.ext = ExtensionOf(rec.name);
        rec.signature = run.analyzer_->signature();
        store::DocumentWrite w;
        w.document = std::move(rec);
        w.findings.push_back(
            {kHostPlugin, "limit",
             "not analyzed: " + mapped.status().message() + " (ingest.max_file_size)"});
        o.doc.writes.push_back(std::move(w));
        o.doc.findings = 1;
      } else {
        o.status = mapped.status();
      }
      o.bytes = WriteBytes(o.doc);
      std::unique_lock lock(mu);
      ++space_waiters;
      // Below the bound, a result of any size is admitted (so one larger than it gets through).
      space_cv.wait(lock, [&] {
        return pending_bytes < kMaxPendingBytes || stop.load(std::memory_order_relaxed);
      });
      --space_waiters;
      pending_bytes += o.bytes;
      results.push_back(std::move(o));
      if (CommitterHasWork()) results_cv.notify_one();
    }
    std::lock_guard lock(mu);
    --active;
    results_cv.notify_all();
  }

  // Committer: consumes one outcome.
  Status Consume(Outcome o) {
    ++consumed;
    auto* s = run.summary_;
    const std::string& path = o.entry->path;
    if (!o.status.ok()) {
      s->set_files_failed(s->files_failed() + 1);
      RecordError(path, o.status);
      Emit(path, pb::IngestEvent::FAILED, 0, o.status.message());
      return Status::Ok();
    }
    s->set_files_ingested(s->files_ingested() + 1);
    s->set_bytes_ingested(s->bytes_ingested() + o.entry->size);
    if (run.metrics_ != nullptr) run.metrics_->AddIngestBytes(o.entry->size);
    if (o.doc.plugin_errors > 0) {
      s->set_plugin_errors(s->plugin_errors() + o.doc.plugin_errors);
      RecordError(path, Internal(o.doc.first_error));
    }
    for (auto& w : o.doc.writes) {
      batch_bytes += w.text.size() + (w.preview ? w.preview->bytes.size() : 0);
      batch.push_back(std::move(w));
      batch_marks.push_back(o.mark);
    }
    Emit(path, pb::IngestEvent::INGESTED, o.doc.findings,
         o.doc.plugin_errors ? o.doc.first_error : "");
    const size_t remaining = queue.size() - consumed;  // queue is final: the walk is over
    const size_t limit = std::clamp<size_t>(remaining / 2, kMinTailBatch, kBatchDocuments);
    if (batch.size() >= limit || batch_bytes >= kBatchBytes) return Flush();
    return Status::Ok();
  }
};

Status IngestRun::Run(const std::filesystem::path& root) {
  const auto start = Clock::now();
  Impl m(*this);
  auto* s = summary_;

  auto known = catalog_->ListUnder(root.string());
  if (!known.ok()) return known.status();
  for (auto& d : *known) {
    if (d.parent.empty()) m.known.emplace(d.path, std::move(d));
  }

  // Analysis starts while the walk goes on, but nothing is cataloged or reported until it has
  // ended: the per-request limits are checked as the walk finds files, so an oversized request
  // fails fast, with no event sent and the catalog untouched, and the walk's memory stays
  // bounded. What the workers analyzed meanwhile is bounded too (kMaxPendingBytes: nobody
  // consumes results before the walk ends) and is dropped if the request fails. Analysis that
  // overlaps the walk is time the workers would otherwise spend waiting.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t max_workers = limits_.workers != 0 ? limits_.workers : cores;
  std::vector<std::thread> workers;
  workers.reserve(max_workers);
  // However Run ends (an error, an exception), the workers stop waiting and are joined. On the
  // normal path they have all finished by then.
  struct Joiner {
    Impl& m;
    std::vector<std::thread>& threads;
    ~Joiner() {
      m.EndWalk(/*abandon=*/true);
      for (auto& t : threads) t.join();
    }
  } joiner{m, workers};

  uint64_t files = 0;
  uint64_t bytes = 0;
  Status over_limit;
  Status walk = Walk(root, [&](const WalkEntry& e) {
    if (e.kind == WalkEntry::Kind::kFile) {
      ++files;
      bytes += e.size;
      if (files > limits_.max_files_per_request) {
        over_limit = ResourceExhausted(
            "more than " + std::to_string(limits_.max_files_per_request) +
            " files under the path (ingest.max_files_per_request); ingest its subdirectories "
            "separately or raise the limit");
      } else if (bytes > limits_.max_bytes_per_request) {
        over_limit = ResourceExhausted(
            "the files under the path hold more than " +
            std::to_string(limits_.max_bytes_per_request) +
            " bytes (ingest.max_bytes_per_request); ingest its subdirectories separately or "
            "raise the limit");
      }
      if (!over_limit.ok()) return false;
    }
    Impl::Found& found = m.entries.emplace_back(Impl::Found{e});
    if (e.kind == WalkEntry::Kind::kFile) {
      auto it = m.known.find(e.path);
      found.unchanged = it != m.known.end() && it->second.size == e.size &&
                        it->second.mtime_ns == e.mtime_ns &&
                        it->second.signature == analyzer_->signature();
      if (!found.unchanged) {
        {
          // Held while a worker starts too: `active` counts the started ones.
          std::lock_guard lock(m.mu);
          m.queue.push_back(&found.entry);
          if (workers.size() < max_workers && workers.size() < m.queue.size()) {
            workers.emplace_back([&m] { m.Work(); });
            ++m.active;
          }
        }
        m.work_cv.notify_one();
      }
    }
    return !m.Stopping();
  });
  const bool failed = !walk.ok() || !over_limit.ok();
  m.EndWalk(/*abandon=*/failed);
  if (!walk.ok()) return walk;
  if (!over_limit.ok()) return over_limit;
  m.discovered = m.entries.size();

  // Report what the walk found (skipped, unreadable, unchanged) before any file it queued.
  for (const Impl::Found& found : m.entries) {
    const WalkEntry& e = found.entry;
    switch (e.kind) {
      case WalkEntry::Kind::kSkipped:
        s->set_files_skipped(s->files_skipped() + 1);
        m.Emit(e.path, pb::IngestEvent::SKIPPED, 0, e.reason);
        continue;
      case WalkEntry::Kind::kError:
        m.seen.insert(e.path);  // keep what the catalog knew; it may be readable again later
        if (e.error.code() != StatusCode::kNotFound) m.unreadable.push_back(e.path);
        s->set_files_failed(s->files_failed() + 1);
        m.RecordError(e.path, e.error);
        m.Emit(e.path, pb::IngestEvent::FAILED, 0, e.error.message());
        continue;
      case WalkEntry::Kind::kFile: break;
    }
    m.seen.insert(e.path);
    s->set_files_seen(s->files_seen() + 1);
    if (found.unchanged) {
      s->set_files_unchanged(s->files_unchanged() + 1);
      m.Emit(e.path, pb::IngestEvent::UNCHANGED, 0, "");
    }
  }

  Status commit_status;
  std::deque<Impl::Outcome> taken;
  for (;;) {
    {
      std::unique_lock lock(m.mu);
      m.results_cv.wait(lock, [&] { return m.CommitterHasWork() || m.active == 0; });
      if (m.results.empty()) break;  // every worker has exited and everything is consumed
      taken.swap(m.results);
    }
    for (Impl::Outcome& o : taken) {
      const size_t size = o.bytes;
      // Results that finish while stopping are complete and correct: keep them. After a
      // commit failure, drain without writing.
      if (commit_status.ok()) {
        commit_status = m.Consume(std::move(o));
        if (!commit_status.ok()) m.stop = true;
      }
      std::lock_guard lock(m.mu);
      m.pending_bytes -= size;
      if (m.space_waiters > 0) m.space_cv.notify_all();
    }
    taken.clear();
  }
  if (commit_status.ok()) commit_status = m.Flush();
  if (!commit_status.ok()) return commit_status;

  if (m.client_gone) return Cancelled("ingest stream closed by the client");
  if (ctx_.IsCancelled()) return Cancelled("ingest cancelled by the client");
  if (ctx_.PastDeadline()) return DeadlineExceeded("ingest passed its deadline");

  // Whatever was cataloged under the root and not seen now is gone, except below directories
  // that could not be read this time: absence of evidence is not removal.
  std::vector<std::string> removals;
  for (const auto& [path, doc] : m.known) {
    if (m.seen.count(path)) continue;
    bool shadowed = false;
    for (const auto& dir : m.unreadable) shadowed = shadowed || IsUnderDir(path, dir);
    if (!shadowed) removals.push_back(path);
  }
  std::sort(removals.begin(), removals.end());
  if (!removals.empty()) {
    ARCHIVUM_RETURN_IF_ERROR(catalog_->Commit({}, removals));
    for (const auto& p : removals) {
      s->set_files_removed(s->files_removed() + 1);
      m.Emit(p, pb::IngestEvent::REMOVED, 0, "");
    }
  }
  s->set_duration_ms(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()));
  return Status::Ok();
}

}  // namespace archivum::pipeline
