// An in-process stand-in for archivumd, so the CLI's end-to-end tests do not depend on the daemon:
// a FileManager with canned answers and errors, plus gRPC's default health service.
//
// Canned behaviour (kept in one place so tests read as specifications):
//   Ingest       path ending in "/missing" → NOT_FOUND; "/unavailable" → UNAVAILABLE;
//                otherwise CannedIngestSummary().
//   Analyze      query "bad(" → INVALID_ARGUMENT; "hang" → never answers until the call is
//                cancelled (the client's deadline); otherwise CannedAnalyzeResponse().
//   GetDocument  path ending in "/nope" → NOT_FOUND; otherwise CannedDocument(path).
//   ListPlugins  CannedPlugins().
// Every request is recorded; thread safety: all methods may be called from any thread.
#pragma once

#include <grpcpp/server.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aichemist_archivum.grpc.pb.h"

namespace archivum::cli::testing {

aichemist_archivum::IngestSummary CannedIngestSummary();
aichemist_archivum::AnalyzeResponse CannedAnalyzeResponse();
aichemist_archivum::Document CannedDocument(const std::string& path);
aichemist_archivum::ListPluginsResponse CannedPlugins();

class FakeFileManager final : public aichemist_archivum::FileManager::CallbackService {
 public:
  grpc::ServerUnaryReactor* Ingest(grpc::CallbackServerContext* context,
                                   const aichemist_archivum::IngestRequest* request,
                                   aichemist_archivum::IngestSummary* response) override;
  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* context,
                                    const aichemist_archivum::AnalyzeRequest* request,
                                    aichemist_archivum::AnalyzeResponse* response) override;
  grpc::ServerUnaryReactor* GetDocument(grpc::CallbackServerContext* context,
                                        const aichemist_archivum::GetDocumentRequest* request,
                                        aichemist_archivum::Document* response) override;
  grpc::ServerUnaryReactor* ListPlugins(grpc::CallbackServerContext* context,
                                        const aichemist_archivum::ListPluginsRequest* request,
                                        aichemist_archivum::ListPluginsResponse* response) override;

  // The last request of each kind, if any arrived.
  std::optional<aichemist_archivum::IngestRequest> last_ingest() const;
  std::optional<aichemist_archivum::AnalyzeRequest> last_analyze() const;
  std::optional<aichemist_archivum::GetDocumentRequest> last_get() const;
  // Number of FileManager calls received, of any kind.
  int calls() const;

 private:
  mutable std::mutex mu_;
  std::optional<aichemist_archivum::IngestRequest> last_ingest_;    // GUARDED_BY(mu_)
  std::optional<aichemist_archivum::AnalyzeRequest> last_analyze_;  // GUARDED_BY(mu_)
  std::optional<aichemist_archivum::GetDocumentRequest> last_get_;  // GUARDED_BY(mu_)
  int calls_ = 0;                                                   // GUARDED_BY(mu_)
};

// A started gRPC server on 127.0.0.1 with an OS-chosen port, serving FakeFileManager and the
// default health service (SERVING). Shut down on destruction.
class FakeServer {
 public:
  FakeServer();
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // "127.0.0.1:<port>".
  const std::string& address() const { return address_; }
  FakeFileManager& service() { return service_; }
  // Switches what the health service reports for every service, "" included.
  void SetServing(bool serving);

 private:
  FakeFileManager service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace archivum::cli::testing
