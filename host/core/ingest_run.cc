#include "core/ingest_run.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/mapped_file.h"
#include "core/walker.h"
#include "plugins/utf8.h"

namespace archivum::core {
namespace {

using Clock = std::chrono::steady_clock;

// A batch is committed when it holds this many documents or bytes of text. Larger batches
// cost the catalog less per document (fewer transactions, WAL frames and full-text segments);
// the byte bound keeps their memory in check.
constexpr size_t kBatchDocuments = 1024;
constexpr size_t kBatchBytes = 16u << 20;
// Workers pause while this many bytes of results wait for the committer: enough to keep them
// busy while a batch commits, without holding more of the tree in memory than that.
constexpr size_t kMaxPendingBytes = 32u << 20;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
    for (const auto& f : w.findings) n += f.key.size() + f.value.size() + f.plugin.size();
  }
  return n;
}

// One analyzed (or failed) file on its way from a worker to the committer.
struct Outcome {
  const WalkEntry* entry = nullptr;
  Status status;  // not OK: the file could not be read or changed during analysis
  AnalyzedDocument doc;
  size_t bytes = 0;
};

}  // namespace

IngestRun::IngestRun(store::Catalog* catalog, const DocumentAnalyzer* analyzer,
                     const config::Ingest& limits, const CallContext& ctx,
                     const FileService::EventSink& sink, api::IngestSummary* summary)
    : catalog_(catalog),
      analyzer_(analyzer),
      limits_(limits),
      ctx_(ctx),
      sink_(sink),
      summary_(summary) {}

struct IngestRun::Impl {
  explicit Impl(IngestRun& r) : run(r) {}
  IngestRun& run;
  std::vector<WalkEntry> entries;
  std::unordered_map<std::string, store::DocumentRecord> known;
  std::unordered_set<std::string> seen;
  std::vector<std::string> unreadable;
  uint64_t discovered = 0;

  // Worker → committer hand-off.
  std::mutex mu;
  std::condition_variable results_cv;  // committer waits for results
  std::condition_variable space_cv;    // workers wait for room
  std::deque<Outcome> results;         // guarded by mu
  size_t pending_bytes = 0;            // guarded by mu
  size_t active = 0;                   // guarded by mu: workers still running
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};

  std::vector<store::DocumentWrite> batch;
  size_t batch_bytes = 0;
  bool client_gone = false;

  bool Stopping() const {
    return stop.load(std::memory_order_relaxed) || run.ctx_.IsCancelled() ||
           run.ctx_.PastDeadline();
  }

  bool Emit(const std::string& path, api::IngestEvent::Outcome outcome, uint32_t findings,
            const std::string& msg) {
    if (!run.sink_ || client_gone) return !client_gone;
    api::IngestEvent ev;
    // Protobuf strings must be UTF-8: the walker skips names that are not, and shows them escaped.
    ev.set_path(plugins::EscapeInvalidUtf8(path));
    ev.set_outcome(outcome);
    ev.set_findings(findings);
    ev.set_message(plugins::EscapeInvalidUtf8(msg));
    *ev.mutable_totals() = *run.summary_;
    ev.mutable_totals()->clear_errors();
    ev.set_files_discovered(discovered);
    if (!run.sink_(ev)) {
      client_gone = true;
      stop = true;
    }
    return !client_gone;
  }

  void RecordError(const std::string& path, const Status& st) {
    auto* s = run.summary_;
    if (s->errors_size() < static_cast<int>(run.limits_.max_reported_errors)) {
      auto* err = s->add_errors();
      err->set_path(plugins::EscapeInvalidUtf8(path));
      err->set_code(static_cast<int32_t>(st.code()));
      err->set_message(plugins::EscapeInvalidUtf8(st.message()));
    }
  }

  Status Flush() {
    if (batch.empty()) return Status::Ok();
    Status st = run.catalog_->Commit(batch, {});
    batch.clear();
    batch_bytes = 0;
    return st;
  }

  // Worker body: claims entries by index and analyzes the ones that need it.
  void Work(const std::vector<size_t>* todo) {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= todo->size() || Stopping()) break;
      const WalkEntry& e = entries[(*todo)[i]];
      Outcome o;
      o.entry = &e;
      auto mapped = MappedFile::Open(e.path, run.limits_.max_file_size);
      store::DocumentRecord rec;
      rec.path = e.path;
      rec.mtime_ns = e.mtime_ns;
      rec.ingested_at_ns = NowNs();
      if (mapped.ok()) {
        rec.mtime_ns = mapped->mtime_ns();
        const MappedFile& file = *mapped;
        o.doc = run.analyzer_->Analyze(
            std::move(rec), file.bytes(), run.ctx_,
            [&file](uint64_t offset, uint64_t length) { file.DropBehind(offset, length); });
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
      space_cv.wait(lock, [&] { return pending_bytes < kMaxPendingBytes || results.empty(); });
      pending_bytes += o.bytes;
      results.push_back(std::move(o));
      results_cv.notify_one();
    }
    std::lock_guard lock(mu);
    --active;
    results_cv.notify_all();
  }

  // Committer: consumes one outcome.
  Status Consume(Outcome o) {
    auto* s = run.summary_;
    const std::string& path = o.entry->path;
    if (!o.status.ok()) {
      s->set_files_failed(s->files_failed() + 1);
      RecordError(path, o.status);
      Emit(path, api::IngestEvent::FAILED, 0, o.status.message());
      return Status::Ok();
    }
    s->set_files_ingested(s->files_ingested() + 1);
    s->set_bytes_ingested(s->bytes_ingested() + o.entry->size);
    if (o.doc.plugin_errors > 0) {
      s->set_plugin_errors(s->plugin_errors() + o.doc.plugin_errors);
      RecordError(path, Internal(o.doc.first_error));
    }
    for (auto& w : o.doc.writes) {
      batch_bytes += w.text.size();
      batch.push_back(std::move(w));
    }
    Emit(path, api::IngestEvent::INGESTED, o.doc.findings,
         o.doc.plugin_errors ? o.doc.first_error : "");
    if (batch.size() >= kBatchDocuments || batch_bytes >= kBatchBytes) return Flush();
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

  // The per-request limits are checked as the walk finds files, so an oversized request fails
  // fast, before any file is read or any event sent, and the walk's memory stays bounded.
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
    m.entries.push_back(e);
    return !m.Stopping();
  });
  if (!walk.ok()) return walk;
  if (!over_limit.ok()) return over_limit;
  m.discovered = m.entries.size();

  // Classify: skipped and unreadable entries are reported now; unchanged files need no work.
  std::vector<size_t> todo;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const WalkEntry& e = m.entries[i];
    switch (e.kind) {
      case WalkEntry::Kind::kSkipped:
        s->set_files_skipped(s->files_skipped() + 1);
        m.Emit(e.path, api::IngestEvent::SKIPPED, 0, e.reason);
        continue;
      case WalkEntry::Kind::kError:
        m.seen.insert(e.path);  // keep what the catalog knew; it may be readable again later
        if (e.error.code() != StatusCode::kNotFound) m.unreadable.push_back(e.path);
        s->set_files_failed(s->files_failed() + 1);
        m.RecordError(e.path, e.error);
        m.Emit(e.path, api::IngestEvent::FAILED, 0, e.error.message());
        continue;
      case WalkEntry::Kind::kFile: break;
    }
    m.seen.insert(e.path);
    s->set_files_seen(s->files_seen() + 1);
    auto it = m.known.find(e.path);
    if (it != m.known.end() && it->second.size == e.size && it->second.mtime_ns == e.mtime_ns &&
        it->second.signature == analyzer_->signature()) {
      s->set_files_unchanged(s->files_unchanged() + 1);
      m.Emit(e.path, api::IngestEvent::UNCHANGED, 0, "");
      continue;
    }
    todo.push_back(i);
  }

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t nworkers =
      std::min<size_t>(todo.size(), limits_.workers != 0 ? limits_.workers : cores);
  m.active = nworkers;
  std::vector<std::thread> workers;
  workers.reserve(nworkers);
  for (size_t w = 0; w < nworkers; ++w) workers.emplace_back([&m, &todo] { m.Work(&todo); });

  Status commit_status;
  for (;;) {
    std::unique_lock lock(m.mu);
    m.results_cv.wait(lock, [&] { return !m.results.empty() || m.active == 0; });
    if (m.results.empty()) break;  // every worker has exited and everything is consumed
    Outcome o = std::move(m.results.front());
    m.results.pop_front();
    m.pending_bytes -= o.bytes;
    m.space_cv.notify_all();
    lock.unlock();
    // Results that finish while stopping are complete and correct: keep them. After a commit
    // failure, drain without writing.
    if (commit_status.ok()) {
      commit_status = m.Consume(std::move(o));
      if (!commit_status.ok()) m.stop = true;
    }
  }
  for (auto& t : workers) t.join();
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
      m.Emit(p, api::IngestEvent::REMOVED, 0, "");
    }
  }
  s->set_duration_ms(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()));
  return Status::Ok();
}

}  // namespace archivum::core
