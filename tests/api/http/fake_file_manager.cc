#include "api/http/fake_file_manager.h"

#include <thread>

#include "api/http/wait_bound.h"

namespace archivum::http_testing {
namespace {

// Long enough never to fire on a healthy run; short enough that a bug fails instead of hanging.

// "status:N" → Status(N); otherwise OK.
Status CannedStatus(const std::string& text) {
  if (text.rfind("status:", 0) != 0) return Status::Ok();
  const int code = std::stoi(text.substr(7));
  return Status(static_cast<StatusCode>(code), "canned error " + std::to_string(code));
}

pb::IngestEvent Event(int i) {
  pb::IngestEvent ev;
  ev.set_path("/stream/file" + std::to_string(i));
  ev.set_outcome(pb::IngestEvent::INGESTED);
  ev.set_findings(static_cast<uint32_t>(i));
  ev.mutable_totals()->set_files_seen(static_cast<uint64_t>(i + 1));
  ev.set_files_discovered(static_cast<uint64_t>(i + 1));
  return ev;
}

}  // namespace

void Gate::Open() {
  std::lock_guard lock(mu_);
  open_ = true;
  cv_.notify_all();
}

bool Gate::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return open_; });
}

bool Gate::is_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

pb::IngestSummary CannedSummary() {
  pb::IngestSummary s;
  s.set_files_seen(3);
  s.set_files_ingested(2);
  s.set_bytes_ingested(42);
  return s;
}

void FakeFileManager::Record(const CallContext& ctx) {
  std::lock_guard lock(mu_);
  metadata_ = ctx.metadata();
  deadline_ = ctx.deadline;
}

Status FakeFileManager::Ingest(const pb::IngestRequest& request, const CallContext& ctx,
                               pb::IngestSummary* summary) {
  Record(ctx);
  {
    std::lock_guard lock(mu_);
    last_ingest_ = request;
  }
  ARCHIVUM_RETURN_IF_ERROR(CannedStatus(request.path()));
  *summary = CannedSummary();
  return Status::Ok();
}

Status FakeFileManager::IngestStream(const pb::IngestRequest& request, const CallContext& ctx,
                                     const EventSink& sink, pb::IngestSummary* summary) {
  Record(ctx);
  ARCHIVUM_RETURN_IF_ERROR(CannedStatus(request.path()));
  const std::string& path = request.path();
  if (path == "/stream/fail") {
    for (int i = 0; i < 2; ++i) {
      if (!sink(Event(i))) return Cancelled("client went away");
    }
    return Internal("disk on fire");
  }
  if (path == "/stream/endless") {
    for (int i = 0; i < 10'000'000; ++i) {
      if (!sink(Event(i))) {
        sink_stopped_.Open();
        return Cancelled("client went away");
      }
    }
    return Internal("the sink never stopped the stream");
  }
  const int n = std::stoi(path.substr(path.rfind('/') + 1));
  for (int i = 0; i < n; ++i) {
    if (!sink(Event(i))) return Cancelled("client went away");
    if (i == 0 && !first_read_.WaitFor(kBound)) return DeadlineExceeded("first line never read");
  }
  *summary = CannedSummary();
  return Status::Ok();
}

Status FakeFileManager::Upload(core::UploadReader& reader, const CallContext& ctx,
                               pb::IngestSummary* summary) {
  Record(ctx);
  UploadRecord rec;
  pb::UploadChunk chunk;
  if (!reader.Next(&chunk) || !chunk.has_header()) return InvalidArgument("no header");
  rec.name = chunk.header().name();
  rec.declared_size = chunk.header().size();
  if (rec.name == "reject") {
    {
      std::lock_guard lock(mu_);
      last_upload_ = rec;
    }
    upload_recorded_.Open();
    return ResourceExhausted("upload is larger than the limit");
  }
  while (reader.Next(&chunk)) {
    rec.bytes += chunk.data().size();
    ++rec.data_chunks;
  }
  rec.cancelled = ctx.IsCancelled();
  {
    std::lock_guard lock(mu_);
    last_upload_ = rec;
  }
  upload_recorded_.Open();
  if (rec.cancelled) return Cancelled("upload cancelled");
  summary->set_files_ingested(1);
  summary->set_bytes_ingested(rec.bytes);
  return Status::Ok();
}

Status FakeFileManager::Analyze(const pb::AnalyzeRequest& request, const CallContext& ctx,
                                pb::AnalyzeResponse* response) {
  Record(ctx);
  {
    std::lock_guard lock(mu_);
    last_analyze_ = request;
  }
  ARCHIVUM_RETURN_IF_ERROR(CannedStatus(request.query()));
  if (request.query() == "empty" || request.query() == "short:empty") return Status::Ok();
  if (request.query() == "hang") {
    hang_started_.Open();
    const auto until = std::chrono::steady_clock::now() + kBound;
    // Cancellation reaches the core only as CallContext::cancelled(), a predicate with no event
    // to wait on; this is the one poll, bounded by kBound.
    while (!ctx.IsCancelled() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (ctx.IsCancelled()) hang_cancelled_.Open();
    return Cancelled("cancelled");
  }
  for (const char* dir : {"/a/", "/b/"}) {
    const std::string path = dir + request.query();
    response->add_results(path);
    pb::Hit* hit = response->add_hits();
    hit->set_path(path);
    hit->set_score(dir[1] == 'a' ? 2.5 : 1.0);
    hit->set_mtime_ns(1700000000000000000);
    auto* f = hit->add_findings();
    f->set_plugin("text");
    f->set_key("lang");
    f->set_value("en");
  }
  response->set_total(request.limit());
  return Status::Ok();
}

bool FakeFileManager::AnalyzeMayRunOnIoThread(const pb::AnalyzeRequest& request) const {
  return request.query().rfind("short:", 0) == 0;
}

Status FakeFileManager::GetDocument(const pb::GetDocumentRequest& request, const CallContext& ctx,
                                    pb::Document* document) {
  Record(ctx);
  {
    std::lock_guard lock(mu_);
    last_get_ = request;
  }
  ARCHIVUM_RETURN_IF_ERROR(CannedStatus(request.path()));
  document->set_path(request.path());
  document->set_size(7);
  document->set_sha256("abc");
  return Status::Ok();
}

Status FakeFileManager::ListPlugins(const pb::ListPluginsRequest& /*request*/,
                                    const CallContext& ctx, pb::ListPluginsResponse* response) {
  Record(ctx);
  auto* a = response->add_plugins();
  a->set_name("text");
  a->set_state(pb::PluginInfo::LOADED);
  a->set_thread_safe(true);
  auto* b = response->add_plugins();
  b->set_name("broken");
  b->set_state(pb::PluginInfo::FAILED);
  b->set_reason("wrong ABI major");
  response->set_host_abi_version("1.0");
  return Status::Ok();
}

Status FakeFileManager::ListQuarantine(const pb::ListQuarantineRequest& /*request*/,
                                       const CallContext& ctx,
                                       pb::ListQuarantineResponse* response) {
  Record(ctx);
  auto* e = response->add_entries();
  e->set_sha256(std::string(64, 'a'));
  e->set_plugin("text");
  e->set_plugin_version("1.0");
  e->set_reason("crashed: SIGSEGV");
  e->set_path("/data/bad.txt");
  e->set_at_ns(1700000000000000000);
  return Status::Ok();
}

Status FakeFileManager::ClearQuarantine(const pb::ClearQuarantineRequest& request,
                                        const CallContext& ctx,
                                        pb::ClearQuarantineResponse* response) {
  Record(ctx);
  {
    std::lock_guard lock(mu_);
    last_clear_ = request;
  }
  ARCHIVUM_RETURN_IF_ERROR(CannedStatus(request.plugin()));
  response->set_cleared(request.plugin().empty() && request.sha256().empty() ? 3 : 1);
  return Status::Ok();
}

std::optional<pb::ClearQuarantineRequest> FakeFileManager::last_clear() const {
  std::lock_guard lock(mu_);
  return last_clear_;
}

std::optional<pb::AnalyzeRequest> FakeFileManager::last_analyze() const {
  std::lock_guard lock(mu_);
  return last_analyze_;
}
std::optional<pb::IngestRequest> FakeFileManager::last_ingest() const {
  std::lock_guard lock(mu_);
  return last_ingest_;
}
Status FakeFileManager::GetThumbnail(const pb::GetThumbnailRequest& request, const CallContext& ctx,
                                     pb::Thumbnail* thumbnail) {
  Record(ctx);
  ARCHIVUM_RETURN_IF_ERROR(CannedStatus(request.path()));
  // A PNG signature and nothing more: the gateway serves the bytes as they are.
  thumbnail->set_path(request.path());
  thumbnail->set_mime("image/png");
  thumbnail->set_data(std::string("\x89PNG\r\n\x1A\n", 8));
  return Status::Ok();
}

std::optional<pb::GetDocumentRequest> FakeFileManager::last_get() const {
  std::lock_guard lock(mu_);
  return last_get_;
}
std::optional<UploadRecord> FakeFileManager::last_upload() const {
  std::lock_guard lock(mu_);
  return last_upload_;
}
std::multimap<std::string, std::string> FakeFileManager::last_metadata() const {
  std::lock_guard lock(mu_);
  return metadata_;
}
std::chrono::system_clock::time_point FakeFileManager::last_deadline() const {
  std::lock_guard lock(mu_);
  return deadline_;
}

}  // namespace archivum::http_testing
