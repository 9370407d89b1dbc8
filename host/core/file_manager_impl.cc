#include "core/file_manager_impl.h"

#include <string>
#include <string_view>
#include <utility>

#include "common/ascii.h"
#include "core/proto_mapping.h"
#include "core/upload_receiver.h"
#include "os/heap_trimmer.h"
#include "os/mapped_file.h"
#include "pipeline/ingest_run.h"

namespace archivum::core {
namespace {

Status TooManyIngests(unsigned running) {
  return ResourceExhausted(std::to_string(running) +
                           " ingests already running (ingest.max_concurrent); retry later");
}

Status NoQuarantine() {
  return FailedPrecondition("this server keeps no quarantine");
}

}  // namespace

// Members borrow from the ones declared before them (the registry, the limits, the roots).
struct FileManagerImpl::Engine {
  Engine(store::Catalog* catalog, pipeline::Quarantine* quarantine, Settings settings)
      : registry(std::move(settings.registry)),
        ingest(std::move(settings.ingest)),
        roots(ingest.roots),
        analyzer(registry.get(), ingest, quarantine),
        committer(catalog, registry.get()),
        searcher(catalog, registry.get(), settings.max_query_bytes),
        content(catalog, registry.get(), quarantine, ingest, &roots) {}

  const std::shared_ptr<const plugins::PluginRegistry> registry;
  const config::Ingest ingest;
  const os::Roots roots;
  const pipeline::DocumentAnalyzer analyzer;
  pipeline::BatchCommitter committer;
  const Searcher searcher;
  const ContentReader content;
};

FileManagerImpl::FileManagerImpl(store::Catalog* catalog, const plugins::PluginRegistry* registry,
                                 const config::Ingest& ingest, std::filesystem::path spool_dir,
                                 size_t max_query_bytes, pipeline::Quarantine* quarantine,
                                 metrics::Metrics* metrics)
    : catalog_(catalog),
      quarantine_(quarantine),
      metrics_(metrics),
      // The caller keeps ownership of this first registry: the pointer is shared without owner.
      engine_(std::make_shared<Engine>(catalog, quarantine,
                                       Settings{std::shared_ptr<const plugins::PluginRegistry>(
                                                    std::shared_ptr<void>(), registry),
                                                ingest, max_query_bytes})),
      spool_dir_(std::move(spool_dir)),
      ingests_(ingest.max_concurrent),
      heap_trimmer_(os::ReleaseFreeHeap, /*lazy=*/true) {}

void FileManagerImpl::Reconfigure(Settings settings) {
  const unsigned max_concurrent = settings.ingest.max_concurrent;
  auto next = std::make_shared<Engine>(catalog_, quarantine_, std::move(settings));
  {
    std::lock_guard lock(engine_mu_);
    engine_.swap(next);
  }
  ingests_.set_limit(max_concurrent);
  // `next` now holds the previous snapshot: released here, or by the last call still using it.
}

std::shared_ptr<FileManagerImpl::Engine> FileManagerImpl::engine() const {
  std::lock_guard lock(engine_mu_);
  return engine_;
}

std::shared_ptr<const plugins::PluginRegistry> FileManagerImpl::registry() const {
  return engine()->registry;
}

Status FileManagerImpl::Ingest(const pb::IngestRequest& request, const CallContext& ctx,
                               pb::IngestSummary* summary) {
  return IngestStream(request, ctx, nullptr, summary);
}

Status FileManagerImpl::IngestStream(const pb::IngestRequest& request, const CallContext& ctx,
                                     const EventSink& sink, pb::IngestSummary* summary) {
  auto ticket = ingests_.TryEnter();
  if (!ticket) return TooManyIngests(ingests_.limit());
  const std::shared_ptr<Engine> engine = this->engine();
  auto root = engine->roots.Resolve(request.path());
  if (!root.ok()) return root.status();
  Status st;
  {
    pipeline::IngestRun run(catalog_, &engine->analyzer, &engine->committer, engine->ingest, ctx,
                            sink, summary, metrics_);
    st = run.Run(*root);
  }
  // When the last ingest out was a large one, what the runs freed goes back to the system.
  ticket.reset();
  if (ingests_.held() == 0 &&
      (summary->files_seen() >= kTrimAfterFiles || summary->bytes_ingested() >= kTrimAfterBytes)) {
    heap_trimmer_.Request();
  }
  if (!st.ok() && st.code() != StatusCode::kCancelled &&
      st.code() != StatusCode::kDeadlineExceeded) {
    return Status(st.code(), "ingesting " + request.path() + ": " + st.message());
  }
  return st;
}

Status FileManagerImpl::IngestWatched(const std::filesystem::path& path, const CallContext& ctx,
                                      pb::IngestSummary* summary) {
  auto ticket =
      ingests_.Enter([&ctx] { return ctx.IsCancelled(); }, std::chrono::milliseconds(200));
  if (!ticket) return Cancelled("watch mode stopped");
  const std::shared_ptr<Engine> engine = this->engine();
  auto root = engine->roots.Resolve(path.string());
  if (!root.ok()) return root.status();
  Status st;
  {
    const pipeline::IngestEventSink no_events;  // outlives the run, which refers to it
    pipeline::IngestRun run(catalog_, &engine->analyzer, &engine->committer, engine->ingest, ctx,
                            no_events, summary, metrics_);
    st = run.Run(*root);
  }
  ticket.reset();
  if (ingests_.held() == 0 &&
      (summary->files_seen() >= kTrimAfterFiles || summary->bytes_ingested() >= kTrimAfterBytes)) {
    heap_trimmer_.Request();
  }
  return st;
}

Status FileManagerImpl::GetWatchStatus(const pb::GetWatchStatusRequest&, const CallContext&,
                                       pb::WatchStatus* status) {
  const watch::Watcher* watcher = watcher_.load();
  if (watcher == nullptr) return Status::Ok();
  ToProto(watcher->GetStatus(), watcher->settle(), status);
  return Status::Ok();
}

Status FileManagerImpl::Upload(UploadReader& reader, const CallContext& ctx,
                               pb::IngestSummary* summary) {
  const auto ticket = ingests_.TryEnter();
  if (!ticket) return TooManyIngests(ingests_.limit());
  const std::shared_ptr<Engine> engine = this->engine();
  auto up = ReceiveUpload(reader, spool_dir_, engine->ingest.max_file_size, ctx);
  if (!up.ok()) return up.status();
  auto mapped = os::MappedFile::Open(up->bytes->path(), engine->ingest.max_file_size);
  if (!mapped.ok()) return Internal("reading the upload spool: " + mapped.status().message());

  store::DocumentRecord rec;
  rec.path = std::string(kUploadPrefix) + up->header.name();
  rec.name = pipeline::BaseName(up->header.name());
  rec.mtime_ns = pipeline::WallClockNs();
  rec.ingested_at_ns = rec.mtime_ns;
  const pipeline::BatchCommitter::Mark mark = engine->committer.BeginAnalysis();
  pipeline::AnalyzedDocument doc =
      engine->analyzer.Analyze(std::move(rec), mapped->bytes(), ctx, {}, mapped->fd());
  if (ctx.IsCancelled()) return Cancelled("upload cancelled by the client");
  const std::string path = doc.writes.front().document.path;
  pipeline::BatchCommitter::FlushReport flush;
  ARCHIVUM_RETURN_IF_ERROR(engine->committer.Commit(
      doc.writes, std::vector<pipeline::BatchCommitter::Mark>(doc.writes.size(), mark), &flush));
  summary->set_files_seen(1);
  summary->set_files_ingested(1);
  summary->set_bytes_ingested(up->bytes->size());
  if (metrics_ != nullptr) {
    metrics_->CountIngest(metrics::IngestOutcome::kIngested);
    metrics_->AddIngestBytes(up->bytes->size());
  }
  summary->set_plugin_errors(doc.plugin_errors);
  auto add_error = [&](StatusCode code, const std::string& message) {
    auto* err = summary->add_errors();
    err->set_path(path);
    err->set_code(static_cast<int32_t>(code));
    err->set_message(message);
  };
  if (doc.plugin_errors > 0) add_error(StatusCode::kInternal, doc.first_error);
  // An upload is analyzed whenever it is sent: what may be lost is fixed by sending it again.
  if (!flush.flush.ok()) {
    summary->set_plugin_errors(summary->plugin_errors() + 1);
    add_error(flush.flush.code(), flush.flush.message());
  } else if (flush.exposed > 0) {
    add_error(StatusCode::kInternal,
              "a plugin flush failed while this upload was being analyzed, so what the plugins "
              "keep for it may be lost; send it again");
  }
  return Status::Ok();
}

Status FileManagerImpl::Analyze(const pb::AnalyzeRequest& request, const CallContext&,
                                pb::AnalyzeResponse* response) {
  return engine()->searcher.Analyze(request, response);
}

bool FileManagerImpl::AnalyzeMayRunOnIoThread(const pb::AnalyzeRequest& request) const {
  // Facets scan the whole result set, and another order sorts it: a worker's job.
  if (request.facets() || (request.sort() != pb::AnalyzeRequest::SORT_UNSPECIFIED &&
                           request.sort() != pb::AnalyzeRequest::SORT_RELEVANCE)) {
    return false;
  }
  std::string_view q = request.query();
  while (!q.empty() && AsciiIsSpace(q.front())) q.remove_prefix(1);
  while (!q.empty() && AsciiIsSpace(q.back())) q.remove_suffix(1);
  size_t field = 0;
  if (StartsWithIgnoreAsciiCase(q, "sha256:")) {
    field = 7;
  } else if (StartsWithIgnoreAsciiCase(q, "path:")) {
    field = 5;
  } else {
    return false;
  }
  if (q.size() == field) return false;
  // One term: no separator, grouping or quoting anywhere in the value.
  for (char c : q.substr(field)) {
    if (AsciiIsSpace(c) || c == '"' || c == '(' || c == ')') return false;
  }
  return true;
}

Status FileManagerImpl::GetDocument(const pb::GetDocumentRequest& request, const CallContext&,
                                    pb::Document* document) {
  if (request.path().empty()) return InvalidArgument("path is empty");
  auto found = catalog_->Get(request.path());
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("no cataloged document at " + request.path());
  auto children = catalog_->ListChildren(request.path(), kMaxListedChildren);
  if (!children.ok()) return children.status();
  ToProto(**found, *children, document);
  if (request.text_bytes() > 0) {
    auto text = catalog_->GetText(request.path(),
                                  std::min<uint64_t>(request.text_bytes(), kMaxDocumentTextBytes));
    if (!text.ok()) return text.status();
    // Removed between the two reads: the document as it was, without text.
    if (text->has_value()) ToProto(std::move(**text), document);
  }
  return Status::Ok();
}

Status FileManagerImpl::GetThumbnail(const pb::GetThumbnailRequest& request, const CallContext&,
                                     pb::Thumbnail* thumbnail) {
  if (request.path().empty()) return InvalidArgument("path is empty");
  auto preview = catalog_->GetPreview(request.path());
  if (!preview.ok()) return preview.status();
  if (!preview->has_value()) {
    auto found = catalog_->Find(request.path());
    if (!found.ok()) return found.status();
    if (!found->has_value()) return NotFound("no cataloged document at " + request.path());
    return NotFound("no thumbnail for " + request.path());
  }
  thumbnail->set_path(request.path());
  thumbnail->set_mime(std::move((*preview)->mime));
  thumbnail->set_data(std::move((*preview)->bytes));
  thumbnail->set_plugin(std::move((*preview)->plugin));
  return Status::Ok();
}

Status FileManagerImpl::GetContent(const pb::GetContentRequest& request, const CallContext& ctx,
                                   const ContentSink& sink) {
  return engine()->content.Stream(request.path(), ctx, sink);
}

Status FileManagerImpl::ListPlugins(const pb::ListPluginsRequest&, const CallContext&,
                                    pb::ListPluginsResponse* response) {
  const std::shared_ptr<Engine> engine = this->engine();
  ToProto(
      engine->registry ? engine->registry->Describe() : std::vector<plugins::PluginDescription>{},
      response);
  if (quarantine_ != nullptr) {
    // Entries outlive a plugin's state: a disabled or failed plugin still has its own.
    for (pb::PluginInfo& info : *response->mutable_plugins()) {
      info.set_quarantined(quarantine_->CountFor(info.name(), info.version()));
    }
  }
  return Status::Ok();
}

Status FileManagerImpl::ListQuarantine(const pb::ListQuarantineRequest&, const CallContext&,
                                       pb::ListQuarantineResponse* response) {
  if (quarantine_ == nullptr) return NoQuarantine();
  ToProto(quarantine_->List(), response);
  return Status::Ok();
}

Status FileManagerImpl::ClearQuarantine(const pb::ClearQuarantineRequest& request,
                                        const CallContext&, pb::ClearQuarantineResponse* response) {
  ARCHIVUM_RETURN_IF_ERROR(pipeline::CheckDigestFilter(request.sha256()));
  if (quarantine_ == nullptr) return NoQuarantine();
  auto cleared = quarantine_->Clear(request.plugin(), request.sha256());
  if (!cleared.ok()) return cleared.status();
  response->set_cleared(*cleared);
  return Status::Ok();
}

}  // namespace archivum::core
