#include "core/catalog_service.h"

#include <chrono>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/walker.h"

namespace archivum::core {
namespace {

using Clock = std::chrono::steady_clock;

// Upserts are committed in batches: one transaction per batch keeps the catalog consistent
// after a crash while amortizing fsyncs.
constexpr size_t kCommitBatch = 512;

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

// Everything one ingest tracks while it walks.
class IngestRun {
 public:
  IngestRun(store::Catalog* catalog, const config::Ingest& limits, const CallContext& ctx,
            const FileService::EventSink& sink, api::IngestSummary* summary)
      : catalog_(catalog), limits_(limits), ctx_(ctx), sink_(sink), summary_(summary) {}

  Status Run(const std::filesystem::path& root) {
    const auto start = Clock::now();
    auto known = catalog_->ListUnder(root.string());
    if (!known.ok()) return known.status();
    for (auto& d : *known) known_.emplace(d.path, std::move(d));

    Status walk = Walk(root, [this](const WalkEntry& e) { return Visit(e); });
    if (!walk.ok()) return walk;
    if (stopped_) return stop_status_;
    ARCHIVUM_RETURN_IF_ERROR(Flush());

    // Whatever was cataloged under the root and not seen now is gone, except below
    // directories that could not be read this time: absence of evidence is not removal.
    std::vector<std::string> removals;
    for (const auto& [path, doc] : known_) {
      if (seen_.count(path)) continue;
      bool shadowed = false;
      for (const auto& dir : unreadable_dirs_) shadowed = shadowed || IsUnderDir(path, dir);
      if (!shadowed) removals.push_back(path);
    }
    if (!removals.empty()) {
      ARCHIVUM_RETURN_IF_ERROR(catalog_->Commit({}, removals));
      for (const auto& p : removals) {
        summary_->set_files_removed(summary_->files_removed() + 1);
        Emit(p, api::IngestEvent::REMOVED, "");
      }
    }
    summary_->set_duration_ms(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()));
    return Status::Ok();
  }

 private:
  bool Visit(const WalkEntry& e) {
    if (ctx_.IsCancelled()) return Stop(Cancelled("ingest cancelled by the client"));
    if (ctx_.PastDeadline()) return Stop(DeadlineExceeded("ingest passed its deadline"));
    switch (e.kind) {
      case WalkEntry::Kind::kSkipped:
        summary_->set_files_skipped(summary_->files_skipped() + 1);
        return Emit(e.path, api::IngestEvent::SKIPPED, e.reason);
      case WalkEntry::Kind::kError: {
        seen_.insert(e.path);  // keep what the catalog knew; it may be readable again later
        if (!e.error.ok() && e.error.code() != StatusCode::kNotFound) {
          unreadable_dirs_.push_back(e.path);
        }
        summary_->set_files_failed(summary_->files_failed() + 1);
        if (summary_->errors_size() < static_cast<int>(limits_.max_reported_errors)) {
          auto* err = summary_->add_errors();
          err->set_path(e.path);
          err->set_code(static_cast<int32_t>(e.error.code()));
          err->set_message(e.error.message());
        }
        return Emit(e.path, api::IngestEvent::FAILED, e.error.message());
      }
      case WalkEntry::Kind::kFile: break;
    }
    seen_.insert(e.path);
    summary_->set_files_seen(summary_->files_seen() + 1);
    auto it = known_.find(e.path);
    if (it != known_.end() && it->second.size == e.size && it->second.mtime_ns == e.mtime_ns) {
      summary_->set_files_unchanged(summary_->files_unchanged() + 1);
      return Emit(e.path, api::IngestEvent::UNCHANGED, "");
    }
    store::DocumentRecord rec;
    rec.path = e.path;
    rec.size = e.size;
    rec.mtime_ns = e.mtime_ns;
    rec.ingested_at_ns = NowNs();
    pending_.push_back(std::move(rec));
    summary_->set_files_ingested(summary_->files_ingested() + 1);
    summary_->set_bytes_ingested(summary_->bytes_ingested() + e.size);
    if (pending_.size() >= kCommitBatch) {
      Status st = Flush();
      if (!st.ok()) return Stop(std::move(st));
    }
    return Emit(e.path, api::IngestEvent::INGESTED, "");
  }

  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    Status st = catalog_->Commit(pending_, {});
    pending_.clear();
    return st;
  }

  bool Emit(const std::string& path, api::IngestEvent::Outcome outcome, const std::string& msg) {
    if (!sink_) return true;
    api::IngestEvent ev;
    ev.set_path(path);
    ev.set_outcome(outcome);
    ev.set_message(msg);
    *ev.mutable_totals() = *summary_;
    ev.mutable_totals()->clear_errors();
    ev.set_files_discovered(summary_->files_seen() + summary_->files_skipped() +
                            summary_->files_failed());
    if (!sink_(ev)) return Stop(Cancelled("ingest stream closed by the client"));
    return true;
  }

  bool Stop(Status st) {
    stopped_ = true;
    stop_status_ = std::move(st);
    return false;
  }

  store::Catalog* catalog_;
  const config::Ingest& limits_;
  const CallContext& ctx_;
  const FileService::EventSink& sink_;
  api::IngestSummary* summary_;
  std::unordered_map<std::string, store::DocumentRecord> known_;
  std::unordered_set<std::string> seen_;
  std::vector<std::string> unreadable_dirs_;
  std::vector<store::DocumentRecord> pending_;
  bool stopped_ = false;
  Status stop_status_;
};

std::vector<std::string> SplitWords(const std::string& query) {
  std::istringstream in(query);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(std::move(w));
  return words;
}

}  // namespace

CatalogService::CatalogService(store::Catalog* catalog, const config::Ingest& ingest,
                               PluginLister plugins)
    : catalog_(catalog), ingest_(ingest), roots_(ingest.roots), plugins_(std::move(plugins)) {}

Status CatalogService::Ingest(const api::IngestRequest& request, const CallContext& ctx,
                              api::IngestSummary* summary) {
  return IngestStream(request, ctx, nullptr, summary);
}

Status CatalogService::IngestStream(const api::IngestRequest& request, const CallContext& ctx,
                                    const EventSink& sink, api::IngestSummary* summary) {
  auto root = roots_.Resolve(request.path());
  if (!root.ok()) return root.status();
  IngestRun run(catalog_, ingest_, ctx, sink, summary);
  Status st = run.Run(*root);
  if (!st.ok() && st.code() != StatusCode::kCancelled &&
      st.code() != StatusCode::kDeadlineExceeded) {
    return Status(st.code(), "ingesting " + request.path() + ": " + st.message());
  }
  return st;
}

Status CatalogService::Analyze(const api::AnalyzeRequest& request, const CallContext&,
                               api::AnalyzeResponse* response) {
  const std::vector<std::string> words = SplitWords(request.query());
  if (words.empty()) return InvalidArgument("query is empty; send at least one word");
  uint32_t limit = request.limit() == 0 ? kDefaultLimit : request.limit();
  if (limit > kMaxLimit) limit = kMaxLimit;
  auto found = catalog_->SearchPaths(words, limit, request.offset());
  if (!found.ok()) return found.status();
  response->set_total(found->total);
  for (const auto& m : found->matches) {
    response->add_results(m.document.path);
    auto* hit = response->add_hits();
    hit->set_path(m.document.path);
    hit->set_score(m.score);
    hit->set_size(m.document.size);
    hit->set_mtime_ns(m.document.mtime_ns);
  }
  return Status::Ok();
}

Status CatalogService::GetDocument(const api::GetDocumentRequest& request, const CallContext&,
                                   api::Document* document) {
  if (request.path().empty()) return InvalidArgument("path is empty");
  auto found = catalog_->Find(request.path());
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("no cataloged document at " + request.path());
  const store::DocumentRecord& d = **found;
  document->set_path(d.path);
  document->set_size(d.size);
  document->set_mtime_ns(d.mtime_ns);
  document->set_ingested_at_ns(d.ingested_at_ns);
  return Status::Ok();
}

Status CatalogService::ListPlugins(const api::ListPluginsRequest&, const CallContext&,
                                   api::ListPluginsResponse* response) {
  if (!plugins_) return Unimplemented("this daemon was started without plugin support");
  plugins_(response);
  return Status::Ok();
}

}  // namespace archivum::core
