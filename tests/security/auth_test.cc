// Bearer-token authentication on the real daemon: gRPC metadata and the HTTP Authorization
// header, health and reflection open or closed, token files with digests or plain tokens.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "health.grpc.pb.h"
#include "reflection.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using grpc::health::v1::HealthCheckResponse;
using testing::Daemon;
using testing::DaemonOptions;

constexpr char kToken[] = "k7Qm-test-token-9f2b";
// printf %s k7Qm-test-token-9f2b | sha256sum
constexpr char kTokenDigest[] = "7a33cac983ea7b6fdedcb767ed34ed64f6862433d792ea2ed05ff641fe1be9a4";

class AuthTest : public ::testing::Test {
 protected:
  // Starts the daemon (gRPC and HTTP) with a token file holding `tokens`.
  void StartDaemon(const std::string& tokens, bool open_health) {
    const fs::path file = scratch_.path() / "tokens.txt";
    testing::WriteFile(file, tokens);
    DaemonOptions opts;
    opts.http = true;
    opts.extra_yaml = "auth:\n  tokens_file: \"" + file.string() +
                      "\"\n  open_health: " + (open_health ? "true" : "false") + "\n";
    std::string error;
    daemon_ = Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    health_ = grpc::health::v1::Health::NewStub(daemon_->channel());
  }

  // Every test ends with a clean shutdown: under the sanitizers, leaks and errors on the way out
  // turn into a non-zero exit. The channels go first: gRPC's shutdown waits (up to the deadline)
  // for connected clients to hang up.
  void TearDown() override {
    stub_.reset();
    health_.reset();
    if (daemon_) {
      EXPECT_EQ(daemon_->Stop(), 0) << daemon_->log();
    }
  }

  static void SetAuthorization(grpc::ClientContext* ctx, const std::optional<std::string>& value) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (value) ctx->AddMetadata("authorization", *value);
  }

  grpc::Status ListPlugins(const std::optional<std::string>& authorization) {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, authorization);
    pb::ListPluginsResponse response;
    return stub_->ListPlugins(&ctx, pb::ListPluginsRequest(), &response);
  }

  grpc::Status HealthCheck(const std::optional<std::string>& authorization,
                           HealthCheckResponse* response) {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, authorization);
    return health_->Check(&ctx, grpc::health::v1::HealthCheckRequest(), response);
  }

  // Lists services through reflection; the status of the call.
  grpc::Status ReflectionList(const std::optional<std::string>& authorization,
                              std::set<std::string>* names) {
    auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(daemon_->channel());
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, authorization);
    auto stream = reflection->ServerReflectionInfo(&ctx);
    grpc::reflection::v1alpha::ServerReflectionRequest req;
    req.set_list_services("");
    grpc::reflection::v1alpha::ServerReflectionResponse resp;
    if (stream->Write(req) && stream->Read(&resp)) {
      for (const auto& s : resp.list_services_response().service()) names->insert(s.name());
    }
    stream->WritesDone();
    return stream->Finish();
  }

  ht::Response Http(ht::http::verb verb, const std::string& target,
                    const std::optional<std::string>& authorization, std::string body = {}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (authorization) headers.emplace_back("Authorization", *authorization);
    return ht::Fetch(daemon_->http_address(),
                     ht::MakeRequest(verb, target, std::move(body), "application/json", headers));
  }

  testing::TempDir scratch_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

const std::string kBearer = std::string("Bearer ") + kToken;

TEST_F(AuthTest, GrpcWithoutATokenIsUnauthenticated) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  const grpc::Status st = ListPlugins(std::nullopt);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(st.error_message().find("missing credentials"), std::string::npos)
      << st.error_message();
}

TEST_F(AuthTest, GrpcWithAWrongTokenIsUnauthenticatedWithoutEchoingIt) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  const grpc::Status st = ListPlugins("Bearer not-the-token");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(st.error_message().find("invalid bearer token"), std::string::npos);
  EXPECT_EQ(st.error_message().find("not-the-token"), std::string::npos);
  EXPECT_NE(st.error_message(), ListPlugins(std::nullopt).error_message())
      << "missing and wrong tokens are told apart";
  EXPECT_EQ(ListPlugins(std::string("Basic ") + kToken).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthTest, GrpcWithTheRightTokenWorksForUnaryAndStreamingCalls) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  EXPECT_TRUE(ListPlugins(kBearer).ok());

  const fs::path corpus = daemon_->dir() / "corpus";
  testing::WriteFile(corpus / "note.txt", "quartz harbor\n");
  {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, kBearer);
    pb::IngestRequest req;
    req.set_path(corpus.string());
    pb::IngestSummary summary;
    const grpc::Status st = stub_->Ingest(&ctx, req, &summary);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(summary.files_ingested(), 1u);
  }
  {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, kBearer);
    pb::IngestRequest req;
    req.set_path(corpus.string());
    auto reader = stub_->IngestStream(&ctx, req);
    pb::IngestEvent event;
    while (reader->Read(&event)) {
    }
    EXPECT_TRUE(reader->Finish().ok());
  }
  {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, kBearer);
    pb::IngestSummary summary;
    auto writer = stub_->Upload(&ctx, &summary);
    pb::UploadChunk chunk;
    chunk.mutable_header()->set_name("memo.txt");
    ASSERT_TRUE(writer->Write(chunk));
    chunk.set_data("uploaded words\n");
    ASSERT_TRUE(writer->Write(chunk));
    writer->WritesDone();
    const grpc::Status st = writer->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
}

TEST_F(AuthTest, GrpcStreamingCallsWithoutATokenAreUnauthenticated) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, std::nullopt);
    pb::IngestRequest req;
    req.set_path(daemon_->dir().string());
    auto reader = stub_->IngestStream(&ctx, req);
    pb::IngestEvent event;
    EXPECT_FALSE(reader->Read(&event));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, "Bearer wrong");
    pb::IngestSummary summary;
    auto writer = stub_->Upload(&ctx, &summary);
    pb::UploadChunk chunk;
    chunk.mutable_header()->set_name("memo.txt");
    writer->Write(chunk);  // may fail once the server has answered
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(AuthTest, HealthAndReflectionAreOpenByDefault) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  HealthCheckResponse response;
  const grpc::Status st = HealthCheck(std::nullopt, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  std::set<std::string> names;
  EXPECT_TRUE(ReflectionList(std::nullopt, &names).ok());
  EXPECT_TRUE(names.count("aichemist_archivum.FileManager"));
  EXPECT_TRUE(names.count("grpc.health.v1.Health"));
}

TEST_F(AuthTest, ClosedHealthAndReflectionNeedTheToken) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/false));
  HealthCheckResponse response;
  EXPECT_EQ(HealthCheck(std::nullopt, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(HealthCheck("Bearer nope", &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(HealthCheck(kBearer, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  {
    grpc::ClientContext ctx;
    SetAuthorization(&ctx, std::nullopt);
    auto watch = health_->Watch(&ctx, grpc::health::v1::HealthCheckRequest());
    EXPECT_FALSE(watch->Read(&response));
    EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }

  // Reflection cannot be failed with a status of our choosing; it is cancelled, and answers
  // nothing.
  std::set<std::string> names;
  EXPECT_FALSE(ReflectionList(std::nullopt, &names).ok());
  EXPECT_TRUE(names.empty());
  EXPECT_TRUE(ReflectionList(kBearer, &names).ok());
  EXPECT_TRUE(names.count("aichemist_archivum.FileManager"));
}

TEST_F(AuthTest, TokenFilesMayHoldDigestsAndComments) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(
      std::string("# the CI robot\nsha256:") + kTokenDigest + "\n# a person\nplain-two\n",
      /*open_health=*/true));
  EXPECT_TRUE(ListPlugins(kBearer).ok());
  EXPECT_TRUE(ListPlugins("Bearer plain-two").ok());
  EXPECT_EQ(ListPlugins(std::string("Bearer ") + kTokenDigest).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "the digest is not itself a token";
}

TEST_F(AuthTest, HttpWithoutOrWithAWrongTokenIs401WithABearerChallenge) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  ht::Response r = Http(ht::http::verb::get, "/v1/plugins", std::nullopt);
  EXPECT_EQ(r.result_int(), 401) << r.body();
  EXPECT_EQ(std::string(r[ht::http::field::www_authenticate]), R"(Bearer realm="archivum")");
  EXPECT_NE(r.body().find("\"code\":16"), std::string::npos) << r.body();

  r = Http(ht::http::verb::post, "/v1/analyze", "Bearer wrong", R"({"query":"x"})");
  EXPECT_EQ(r.result_int(), 401) << r.body();
  EXPECT_EQ(std::string(r[ht::http::field::www_authenticate]),
            R"(Bearer realm="archivum", error="invalid_token")");
  EXPECT_EQ(r.body().find("wrong"), std::string::npos) << r.body();

  // Unknown routes and uploads are refused before anything else happens.
  EXPECT_EQ(Http(ht::http::verb::get, "/no/such/route", std::nullopt).result_int(), 401);
  EXPECT_EQ(Http(ht::http::verb::post, "/v1/upload?name=a.txt", std::nullopt, "bytes").result_int(),
            401);
}

TEST_F(AuthTest, HttpWithTheRightTokenWorks) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  ht::Response r = Http(ht::http::verb::get, "/v1/plugins", kBearer);
  EXPECT_EQ(r.result_int(), 200) << r.body();
  r = Http(ht::http::verb::post, "/v1/analyze", "bearer " + std::string(kToken),
           R"({"query":"anything"})");
  EXPECT_EQ(r.result_int(), 200) << r.body();
}

// Listing and clearing the quarantine are calls like any other: a token is needed for both.
TEST_F(AuthTest, TheQuarantineNeedsTheTokenToListAndToClear) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  for (const std::optional<std::string>& authorization :
       std::vector<std::optional<std::string>>{std::nullopt, "Bearer wrong", kBearer}) {
    const grpc::StatusCode expected =
        authorization == kBearer ? grpc::StatusCode::OK : grpc::StatusCode::UNAUTHENTICATED;
    {
      grpc::ClientContext ctx;
      SetAuthorization(&ctx, authorization);
      pb::ListQuarantineResponse response;
      EXPECT_EQ(stub_->ListQuarantine(&ctx, pb::ListQuarantineRequest(), &response).error_code(),
                expected);
    }
    {
      grpc::ClientContext ctx;
      SetAuthorization(&ctx, authorization);
      pb::ClearQuarantineResponse response;
      EXPECT_EQ(stub_->ClearQuarantine(&ctx, pb::ClearQuarantineRequest(), &response).error_code(),
                expected);
    }
    const unsigned status = authorization == kBearer ? 200 : 401;
    EXPECT_EQ(Http(ht::http::verb::get, "/v1/quarantine", authorization).result_int(), status);
    EXPECT_EQ(Http(ht::http::verb::delete_, "/v1/quarantine", authorization).result_int(), status);
  }
}

TEST_F(AuthTest, HttpHealthIsOpenOrClosedPerConfig) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/true));
  EXPECT_EQ(Http(ht::http::verb::get, "/healthz", std::nullopt).result_int(), 200);
  EXPECT_EQ(Http(ht::http::verb::get, "/readyz", std::nullopt).result_int(), 200);
  daemon_.reset();

  ASSERT_NO_FATAL_FAILURE(StartDaemon(std::string(kToken) + "\n", /*open_health=*/false));
  EXPECT_EQ(Http(ht::http::verb::get, "/healthz", std::nullopt).result_int(), 401);
  EXPECT_EQ(Http(ht::http::verb::get, "/readyz", "Bearer wrong").result_int(), 401);
  EXPECT_EQ(Http(ht::http::verb::get, "/healthz", kBearer).result_int(), 200);
  EXPECT_EQ(Http(ht::http::verb::get, "/readyz", kBearer).result_int(), 200);
}

TEST_F(AuthTest, AnUnreadableTokenFileStopsStartUpNamingIt) {
  DaemonOptions opts;
  opts.extra_yaml = "auth:\n  tokens_file: /nonexistent/archivum-tokens\n";
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  EXPECT_EQ(daemon, nullptr);
  EXPECT_NE(error.find("auth.tokens_file: cannot read /nonexistent/archivum-tokens"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace archivum
