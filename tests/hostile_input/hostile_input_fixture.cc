#include "hostile_input/hostile_input_fixture.h"

#include <chrono>

#include "health.grpc.pb.h"

namespace archivum::hostile_input {

namespace {

std::chrono::system_clock::time_point Deadline() {
  // Generous: a sanitizer build ingesting 100,000 files is slow; a hang still fails the test.
  return std::chrono::system_clock::now() + std::chrono::minutes(5);
}

void AddToken(grpc::ClientContext* ctx, const std::string& token) {
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
}

}  // namespace

nlohmann::json BodyJson(const ht::Response& response) {
  return nlohmann::json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
}

void HostileInputTest::StartDaemon(const std::string& extra_yaml) {
  ASSERT_FALSE(corpus().empty());
  testing::DaemonOptions opts;
  opts.roots = {corpus(), "/dev", "/proc"};
  opts.http = true;
  opts.without_dac_override = true;
  opts.extra_yaml = extra_yaml;
  std::string error;
  daemon_ = testing::Daemon::Start(opts, &error);
  ASSERT_NE(daemon_, nullptr) << error;
  stub_ = pb::FileManager::NewStub(daemon_->channel());
}

grpc::Status HostileInputTest::Ingest(const std::string& path, pb::IngestSummary* summary,
                                      const std::string& token) {
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  AddToken(&ctx, token);
  pb::IngestRequest req;
  req.set_path(path);
  return stub_->Ingest(&ctx, req, summary);
}

std::vector<pb::IngestEvent> HostileInputTest::IngestStream(const std::string& path,
                                                            grpc::Status* status) {
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  pb::IngestRequest req;
  req.set_path(path);
  auto reader = stub_->IngestStream(&ctx, req);
  std::vector<pb::IngestEvent> events;
  pb::IngestEvent ev;
  while (reader->Read(&ev)) events.push_back(ev);
  *status = reader->Finish();
  return events;
}

grpc::Status HostileInputTest::Analyze(const std::string& query, pb::AnalyzeResponse* response,
                                       const std::string& token) {
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  AddToken(&ctx, token);
  pb::AnalyzeRequest req;
  req.set_query(query);
  return stub_->Analyze(&ctx, req, response);
}

ht::Response HostileInputTest::Http(ht::http::verb verb, const std::string& target,
                                    const std::string& body, const std::string& content_type,
                                    std::vector<std::pair<std::string, std::string>> headers) {
  ht::beast::error_code ec;
  ht::Response res = ht::Fetch(daemon_->http_address(),
                               ht::MakeRequest(verb, target, body, content_type, headers), &ec);
  EXPECT_FALSE(ec) << verb << " " << target << ": " << ec.message();
  return res;
}

ht::Response HostileInputTest::PostJson(const std::string& target, const nlohmann::json& body) {
  return Http(ht::http::verb::post, target, body.dump());
}

ht::Response HostileInputTest::HttpIngest(const std::string& path) {
  return PostJson("/v1/ingest", {{"path", path}});
}

std::shared_ptr<grpc::Channel> HostileInputTest::FreshChannel() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials(),
                                   args);
}

void HostileInputTest::ExpectStillServing(const std::string& token) {
  const auto channel = FreshChannel();
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  AddToken(&ctx, token);
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status st = health->Check(&ctx, {}, &resp);
  EXPECT_TRUE(st.ok()) << "health: " << st.error_message();
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  grpc::ClientContext actx;
  actx.set_deadline(Deadline());
  AddToken(&actx, token);
  pb::AnalyzeRequest req;
  req.set_query("serving");
  pb::AnalyzeResponse answer;
  const grpc::Status analyzed = pb::FileManager::NewStub(channel)->Analyze(&actx, req, &answer);
  EXPECT_TRUE(analyzed.ok()) << "analyze: " << analyzed.error_message();

  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  const ht::Response healthz = Http(ht::http::verb::get, "/healthz", "", "", headers);
  EXPECT_EQ(healthz.result_int(), 200u) << healthz.body();
}

}  // namespace archivum::hostile_input
