#include "common/ascii.h"
#include "core/file_manager_impl.h"

#include <chrono>
#include <sstream>
#include <string_view>

#include "os/heap_trimmer.h"
#include "core/ingest_run.h"
#include "os/mapped_file.h"
#include "core/upload_spool.h"

namespace archivum::core {
namespace {

Status TooManyIngests(unsigned running) {
  return ResourceExhausted(std::to_string(running) +
                           " ingests already running (ingest.max_concurrent); retry later");
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsQuerySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void ToProto(const store::FindingRecord& f, pb::Finding* out) {
  out->set_plugin(f.plugin);
  out->set_key(f.key);
  out->set_value(f.value);
}

}  // namespace

FileManagerImpl::FileManagerImpl(store::Catalog* catalog, const plugins::PluginRegistry* registry,
                                 const config::Ingest& ingest, std::filesystem::path spool_dir,
                                 size_t max_query_bytes)
    : catalog_(catalog),
      registry_(registry),
      ingest_(ingest),
      roots_(ingest.roots),
      analyzer_(registry, ingest_),
      searcher_(catalog, registry, max_query_bytes),
      spool_dir_(std::move(spool_dir)),
      ingests_(ingest.max_concurrent),
      heap_trimmer_(ReleaseFreeHeap, /*lazy=*/true) {}

Status FileManagerImpl::Ingest(const pb::IngestRequest& request, const CallContext& ctx,
                               pb::IngestSummary* summary) {
  return IngestStream(request, ctx, nullptr, summary);
}

Status FileManagerImpl::IngestStream(const pb::IngestRequest& request, const CallContext& ctx,
                                     const EventSink& sink, pb::IngestSummary* summary) {
  auto ticket = ingests_.TryEnter();
  if (!ticket) return TooManyIngests(ingests_.limit());
  auto root = roots_.Resolve(request.path());
  if (!root.ok()) return root.status();
  Status st;
  {
    IngestRun run(catalog_, &analyzer_, ingest_, ctx, sink, summary);
    st = run.Run(*root);
  }
  // When the last ingest out was a large one, what the runs freed goes back to the system
  // (os/heap_trimmer.h; a small run frees too little to be worth a trim).
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

Status FileManagerImpl::Upload(UploadReader& reader, const CallContext& ctx,
                               pb::IngestSummary* summary) {
  const auto ticket = ingests_.TryEnter();
  if (!ticket) return TooManyIngests(ingests_.limit());
  UploadSpool spool(spool_dir_);
  auto up = spool.Receive(reader, ingest_.max_file_size, ctx);
  if (!up.ok()) return up.status();
  auto mapped = MappedFile::Open(up->file, ingest_.max_file_size);
  if (!mapped.ok()) return Internal("reading the upload spool: " + mapped.status().message());

  store::DocumentRecord rec;
  rec.path = std::string(kUploadPrefix) + up->header.name();
  rec.name = BaseName(up->header.name());
  rec.mtime_ns = NowNs();
  rec.ingested_at_ns = rec.mtime_ns;
  const uint64_t flush_failures = analyzer_.flush_failures();
  AnalyzedDocument doc = analyzer_.Analyze(std::move(rec), mapped->bytes(), ctx);
  if (ctx.IsCancelled()) return Cancelled("upload cancelled by the client");
  // As for an ingest batch (ingest_run.cc). An upload is analyzed whenever it is sent, so a
  // failed flush only needs reporting; the upload's results are cataloged all the same.
  const Status flushed = analyzer_.FlushPlugins();
  ARCHIVUM_RETURN_IF_ERROR(catalog_->Commit(doc.writes, {}));
  summary->set_files_seen(1);
  summary->set_files_ingested(1);
  summary->set_bytes_ingested(up->size);
  summary->set_plugin_errors(doc.plugin_errors);
  const std::string& path = doc.writes.front().document.path;
  auto add_error = [&](StatusCode code, const std::string& message) {
    auto* err = summary->add_errors();
    err->set_path(path);
    err->set_code(static_cast<int32_t>(code));
    err->set_message(message);
  };
  if (doc.plugin_errors > 0) add_error(StatusCode::kInternal, doc.first_error);
  if (!flushed.ok()) {
    summary->set_plugin_errors(summary->plugin_errors() + 1);
    add_error(flushed.code(), flushed.message());
  } else if (analyzer_.flush_failures() != flush_failures) {
    // Another ingest's flush failed while this upload was being analyzed: what the plugins
    // keep for it may be lost as well (DocumentAnalyzer::flush_failures).
    add_error(StatusCode::kInternal,
              "a plugin flush failed while this upload was being analyzed, so what the plugins "
              "keep for it may be lost; send it again");
  }
  return Status::Ok();
}

Status FileManagerImpl::Analyze(const pb::AnalyzeRequest& request, const CallContext&,
                                pb::AnalyzeResponse* response) {
  return searcher_.Analyze(request, response);
}

bool FileManagerImpl::MayRunOnIoThread(const pb::AnalyzeRequest& request) const {
  std::string_view q = request.query();
  while (!q.empty() && IsQuerySpace(q.front())) q.remove_prefix(1);
  while (!q.empty() && IsQuerySpace(q.back())) q.remove_suffix(1);
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
    if (IsQuerySpace(c) || c == '"' || c == '(' || c == ')') return false;
  }
  return true;
}

Status FileManagerImpl::GetDocument(const pb::GetDocumentRequest& request, const CallContext&,
                                    pb::Document* document) {
  if (request.path().empty()) return InvalidArgument("path is empty");
  auto found = catalog_->Get(request.path());
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("no cataloged document at " + request.path());
  const store::DocumentRecord& d = (*found)->document;
  document->set_path(d.path);
  document->set_parent(d.parent);
  document->set_size(d.size);
  document->set_mtime_ns(d.mtime_ns);
  document->set_sha256(d.sha256);
  document->set_mime(d.mime);
  document->set_ingested_at_ns(d.ingested_at_ns);
  std::istringstream analyzers(d.analyzers);
  for (std::string a; std::getline(analyzers, a, ',');) {
    if (!a.empty()) document->add_analyzers(a);
  }
  for (const auto& f : (*found)->findings) ToProto(f, document->add_findings());
  return Status::Ok();
}

Status FileManagerImpl::ListPlugins(const pb::ListPluginsRequest&, const CallContext&,
                                    pb::ListPluginsResponse* response) {
  registry_->Describe(response);
  return Status::Ok();
}

}  // namespace archivum::core
