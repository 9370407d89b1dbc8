#include "cli/fake_server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <stdexcept>
#include <string_view>

namespace archivum::cli::testing {
namespace {

namespace pb = aichemist_archivum;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.ends_with(suffix);
}

grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

// Answers only when the call is cancelled, which the client's deadline does: a call that is slow
// after the connection was made, as opposed to a server that cannot be reached.
class NeverAnswers final : public grpc::ServerUnaryReactor {
 public:
  void OnCancel() override { Finish(grpc::Status::CANCELLED); }
  void OnDone() override { delete this; }
};

}  // namespace

pb::IngestSummary CannedIngestSummary() {
  pb::IngestSummary summary;
  summary.set_files_seen(5);
  summary.set_files_ingested(3);
  summary.set_files_unchanged(1);
  summary.set_files_failed(1);
  summary.set_files_skipped(0);
  summary.set_files_removed(0);
  summary.set_bytes_ingested(1536);
  summary.set_duration_ms(1234);
  pb::IngestError* error = summary.add_errors();
  error->set_path("/data/docs/locked.pdf");
  error->set_code(static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  error->set_message("cannot open: Permission denied");
  return summary;
}

pb::AnalyzeResponse CannedAnalyzeResponse() {
  pb::AnalyzeResponse response;
  const struct {
    const char* path;
    double score;
    const char* snippet;
  } hits[] = {
      {"/data/docs/report.txt", 12.5, "the quarterly [report] is late"},
      {"/data/docs/notes.md", 3.25, ""},
      {"/data/docs/long.txt", 1.0,
       "a very long snippet that goes on and on well past the width of any sensible table "
       "column, END-OF-SNIPPET"},
  };
  for (const auto& h : hits) {
    response.add_results(h.path);
    pb::Hit* hit = response.add_hits();
    hit->set_path(h.path);
    hit->set_score(h.score);
    hit->set_snippet(h.snippet);
    hit->set_mime("text/plain");
  }
  response.set_total(5);
  return response;
}

pb::Document CannedDocument(const std::string& path) {
  pb::Document document;
  document.set_path(path);
  document.set_size(2048);
  document.set_mtime_ns(1'700'000'000'000'000'000);
  document.set_sha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  document.set_mime("text/plain");
  document.set_ingested_at_ns(1'700'000'060'000'000'000);
  document.add_analyzers("magic@1.0.0");
  document.add_analyzers("hash@0.2.0");
  pb::Finding* finding = document.add_findings();
  finding->set_plugin("hash");
  finding->set_key("md5");
  finding->set_value("098f6bcd4621d373cade4e832627b4f6");
  return document;
}

pb::ListPluginsResponse CannedPlugins() {
  pb::ListPluginsResponse response;
  response.set_host_abi_version("1.0");
  pb::PluginInfo* magic = response.add_plugins();
  magic->set_name("magic");
  magic->set_version("1.0.0");
  magic->set_abi_version("1.0");
  magic->set_stage("detect");
  magic->add_accepts("*/*");
  magic->set_state(pb::PluginInfo::LOADED);
  magic->set_calls(42);
  magic->set_errors(1);
  magic->set_total_time_us(12'345);
  pb::PluginInfo* broken = response.add_plugins();
  broken->set_name("broken");
  broken->set_version("0.1.0");
  broken->set_abi_version("2.0");
  broken->set_stage("analyze");
  broken->set_state(pb::PluginInfo::FAILED);
  broken->set_reason("requires plugin ABI 2.0, host provides 1.0");
  return response;
}

grpc::ServerUnaryReactor* FakeFileManager::Ingest(grpc::CallbackServerContext* context,
                                                  const pb::IngestRequest* request,
                                                  pb::IngestSummary* response) {
  {
    std::lock_guard lock(mu_);
    last_ingest_ = *request;
    ++calls_;
  }
  if (EndsWith(request->path(), "/missing")) {
    return FinishWith(context, {grpc::StatusCode::NOT_FOUND, "no such path: " + request->path()});
  }
  if (EndsWith(request->path(), "/unavailable")) {
    return FinishWith(context, {grpc::StatusCode::UNAVAILABLE, "shutting down"});
  }
  *response = CannedIngestSummary();
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* FakeFileManager::Analyze(grpc::CallbackServerContext* context,
                                                   const pb::AnalyzeRequest* request,
                                                   pb::AnalyzeResponse* response) {
  {
    std::lock_guard lock(mu_);
    last_analyze_ = *request;
    ++calls_;
  }
  if (request->query() == "bad(") {
    return FinishWith(context,
                      {grpc::StatusCode::INVALID_ARGUMENT, "unbalanced parenthesis at column 4"});
  }
  if (request->query() == "hang") return new NeverAnswers();
  *response = CannedAnalyzeResponse();
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* FakeFileManager::GetDocument(grpc::CallbackServerContext* context,
                                                       const pb::GetDocumentRequest* request,
                                                       pb::Document* response) {
  {
    std::lock_guard lock(mu_);
    last_get_ = *request;
    ++calls_;
  }
  if (EndsWith(request->path(), "/nope")) {
    return FinishWith(context, {grpc::StatusCode::NOT_FOUND, "not cataloged: " + request->path()});
  }
  *response = CannedDocument(request->path());
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* FakeFileManager::ListPlugins(grpc::CallbackServerContext* context,
                                                       const pb::ListPluginsRequest* /*request*/,
                                                       pb::ListPluginsResponse* response) {
  {
    std::lock_guard lock(mu_);
    ++calls_;
  }
  *response = CannedPlugins();
  return FinishWith(context, grpc::Status::OK);
}

std::optional<pb::IngestRequest> FakeFileManager::last_ingest() const {
  std::lock_guard lock(mu_);
  return last_ingest_;
}

std::optional<pb::AnalyzeRequest> FakeFileManager::last_analyze() const {
  std::lock_guard lock(mu_);
  return last_analyze_;
}

std::optional<pb::GetDocumentRequest> FakeFileManager::last_get() const {
  std::lock_guard lock(mu_);
  return last_get_;
}

int FakeFileManager::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

FakeServer::FakeServer() {
  // Process-wide switch; it must precede building the server.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) throw std::runtime_error("fake server failed to start");
  address_ = "127.0.0.1:" + std::to_string(port);
}

FakeServer::~FakeServer() {
  // Cancels calls still open (NeverAnswers), so shutdown does not wait for them.
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

void FakeServer::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

}  // namespace archivum::cli::testing
