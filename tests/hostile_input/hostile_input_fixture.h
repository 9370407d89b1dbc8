// The fixture of the hostile-input tests: the real daemon (gRPC and HTTP) with ingest roots at a
// scratch corpus, /dev and /proc, started without DAC override when the suite runs as root so
// that file permissions apply to it. Every case ends by checking that the daemon still serves.
//
// Thread safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"

namespace archivum::hostile_input {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = ::archivum::http_testing;

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemon({}); }

  // Starts the daemon; `extra_yaml` is appended to its config.
  void StartDaemon(const std::string& extra_yaml);

  // A path in the scratch corpus (an ingest root).
  std::string P(const std::string& relative) const { return (corpus() / relative).string(); }
  const fs::path& corpus() const { return corpus_.path(); }

  grpc::Status Ingest(const std::string& path, pb::IngestSummary* summary,
                      const std::string& token = "");
  // Every event of an IngestStream call; *status is the call's final status.
  std::vector<pb::IngestEvent> IngestStream(const std::string& path, grpc::Status* status);
  grpc::Status Analyze(const std::string& query, pb::AnalyzeResponse* response,
                       const std::string& token = "");

  // One HTTP request on a fresh connection; JSON body and content type by default.
  ht::Response Http(ht::http::verb verb, const std::string& target, const std::string& body = "",
                    const std::string& content_type = "application/json",
                    std::vector<std::pair<std::string, std::string>> headers = {});
  ht::Response PostJson(const std::string& target, const nlohmann::json& body);
  // POST /v1/ingest {"path": path}.
  ht::Response HttpIngest(const std::string& path);

  // A channel with a connection of its own (not shared with other channels to the daemon), so
  // a case that gets its connection closed affects nothing else.
  std::shared_ptr<grpc::Channel> FreshChannel() const;

  // Asserts the daemon still answers, on a fresh connection: gRPC health SERVING, a simple
  // Analyze, HTTP /healthz.
  void ExpectStillServing(const std::string& token = "");

  testing::TempDir corpus_;  // destroyed after the daemon
  std::unique_ptr<testing::Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
};

// The parsed JSON body of `response` (null if it is not JSON).
nlohmann::json BodyJson(const ht::Response& response);

}  // namespace archivum::hostile_input
