// The real daemon's HTTP gateway next to its gRPC API: same core, same answers.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using nlohmann::json;

class DaemonGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    corpus_ = daemon_->dir() / "corpus";
    testing::WriteFile(corpus_ / "a/lighthouse.txt", "The lighthouse keeper logs every ship.\n");
    testing::WriteFile(corpus_ / "a/harbor.md", "Ships wait in the harbor for the tide.\n");
    testing::WriteFile(corpus_ / "b/keeper.txt", "A keeper of bees, not of lights.\n");
  }

  ht::Response Post(const std::string& target, const json& body) {
    return ht::Fetch(daemon_->http_address(),
                     ht::MakeRequest(ht::http::verb::post, target, body.dump()));
  }

  std::unique_ptr<testing::Daemon> daemon_;
  fs::path corpus_;
};

TEST_F(DaemonGatewayTest, SeedRoutesIngestAndAnalyze) {
  ht::Response r = Post("/ingest", {{"path", corpus_.string()}});
  ASSERT_EQ(r.result_int(), 200) << r.body();
  json summary = json::parse(r.body());
  EXPECT_EQ(summary["status"], "ok");
  EXPECT_EQ(summary["filesIngested"], "3");  // uint64 is a JSON string in proto3 mapping

  r = Post("/analyze", {{"query", "keeper"}});
  ASSERT_EQ(r.result_int(), 200) << r.body();
  json answer = json::parse(r.body());
  std::set<std::string> paths(answer["results"].begin(), answer["results"].end());
  EXPECT_EQ(paths, (std::set<std::string>{(corpus_ / "a/lighthouse.txt").string(),
                                          (corpus_ / "b/keeper.txt").string()}));
  EXPECT_EQ(answer["hits"].size(), 2u);
}

TEST_F(DaemonGatewayTest, TheSameQueryOverGrpcAndHttpGivesTheSameResults) {
  ASSERT_EQ(Post("/v1/ingest", {{"path", corpus_.string()}}).result_int(), 200);
  auto stub = pb::FileManager::NewStub(daemon_->channel());
  for (const std::string q : {"keeper", "ship*", "ext:md OR bees", "-keeper ext:txt", "path:/"}) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(q);
    pb::AnalyzeResponse grpc_answer;
    ASSERT_TRUE(stub->Analyze(&ctx, req, &grpc_answer).ok()) << q;
    std::vector<std::string> via_grpc(grpc_answer.results().begin(), grpc_answer.results().end());

    ht::Response r = Post("/v1/analyze", {{"query", q}});
    ASSERT_EQ(r.result_int(), 200) << q << ": " << r.body();
    json body = json::parse(r.body());
    std::vector<std::string> via_http(body["results"].begin(), body["results"].end());
    EXPECT_EQ(via_http, via_grpc) << q;
  }
}

TEST_F(DaemonGatewayTest, ErrorsAndStreamingThroughTheRealCore) {
  ht::Response r = Post("/v1/analyze", {{"query", "size>abc"}});
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(json::parse(r.body())["code"], 3);
  r = Post("/v1/ingest", {{"path", "/etc"}});
  EXPECT_EQ(r.result_int(), 403) << r.body();
  r = ht::Fetch(daemon_->http_address(),
                ht::MakeRequest(ht::http::verb::get, "/v1/documents?path=/no/such", "", ""));
  EXPECT_EQ(r.result_int(), 404);

  ht::HttpConnection conn(daemon_->http_address());
  ASSERT_TRUE(conn.ok());
  ht::Request req = ht::MakeRequest(ht::http::verb::post, "/v1/ingest_stream",
                                    json{{"path", corpus_.string()}}.dump());
  ASSERT_FALSE(conn.Write(req));
  ASSERT_FALSE(conn.ReadStreamHead());
  size_t lines = 0;
  while (auto line = conn.NextLine()) {
    json event = json::parse(*line);
    ASSERT_TRUE(event.contains("result")) << *line;
    ++lines;
  }
  EXPECT_EQ(lines, 3u);

  r = ht::Fetch(daemon_->http_address(), ht::MakeRequest(ht::http::verb::get, "/healthz", "", ""));
  EXPECT_EQ(r.result_int(), 200);
  r = ht::Fetch(daemon_->http_address(),
                ht::MakeRequest(ht::http::verb::get, "/v1/plugins", "", ""));
  ASSERT_EQ(r.result_int(), 200);
  // One entry per bundled plugin module.
  size_t modules = 0;
  for (const auto& e : std::filesystem::directory_iterator(ARCHIVUM_BUNDLED_PLUGINS)) {
    if (e.path().extension() == ".so") ++modules;
  }
  EXPECT_GE(modules, 4u);
  EXPECT_EQ(json::parse(r.body())["plugins"].size(), modules);
}

}  // namespace
}  // namespace archivum
