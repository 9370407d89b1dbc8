// Hostile input, protocol: malformed protobuf bytes, malformed JSON, huge headers,
// invalid queries, and missing or wrong tokens, over real gRPC and HTTP. Each case asserts the
// exact status and that the daemon still serves afterwards.
#include <grpcpp/generic/generic_stub.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "hostile_input/hostile_input_fixture.h"

namespace archivum::hostile_input {
namespace {

using grpc::StatusCode;

// One unary call with raw request bytes, as a client with a broken encoder would make it.
grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status result;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response, [&](grpc::Status st) {
    std::lock_guard lock(mu);
    result = std::move(st);
    done = true;
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return result;
}

// One streaming call (IngestStream, Upload) that sends `messages` as raw bytes; `events` counts
// the messages the server sent before its status.
grpc::Status RawStreamingCall(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& method, const std::vector<std::string>& messages,
                              int* events) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::CompletionQueue cq;
  void* tag = nullptr;
  bool ok = false;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(nullptr);
  cq.Next(&tag, &ok);
  for (const std::string& bytes : messages) {
    grpc::Slice slice(bytes);
    const grpc::ByteBuffer message(&slice, 1);
    call->Write(message, nullptr);
    if (!cq.Next(&tag, &ok) || !ok) break;
  }
  call->WritesDone(nullptr);
  cq.Next(&tag, &ok);
  *events = 0;
  for (grpc::ByteBuffer event;; ++*events) {
    call->Read(&event, nullptr);
    if (!cq.Next(&tag, &ok) || !ok) break;
  }
  grpc::Status status;
  call->Finish(&status, nullptr);
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

// A request that is not a valid message fails its call with INVALID_ARGUMENT, naming the message
// type, and never reaches the core. (The daemon parses requests itself: gRPC's typed callback
// handlers would answer UNIMPLEMENTED with no message.)
TEST_F(HostileInputTest, MalformedProtobufBytesFailTheCallNotTheServer) {
  const std::string kService = "/aichemist_archivum.FileManager/";
  // Field 1 (path) declared 127 bytes long, 3 present; a varint that never ends; field 1 with
  // bytes that are not UTF-8 (proto3 refuses them in a string); an end-group tag with no group.
  const std::string inputs[] = {std::string("\x0a\x7f"
                                            "abc",
                                            5),
                                std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11),
                                std::string("\x0a\x02\xff\xfe", 4), std::string("\x0c", 1)};
  const std::pair<std::string, std::string> unary[] = {
      {"Ingest", "IngestRequest"},
      {"Analyze", "AnalyzeRequest"},
      {"GetDocument", "GetDocumentRequest"},
      {"ClearQuarantine", "ClearQuarantineRequest"}};
  const std::string kSuffix = " message (malformed protobuf, or a string field that is not UTF-8)";
  for (const auto& bytes : inputs) {
    for (const auto& [method, type] : unary) {
      const grpc::Status st = RawUnaryCall(daemon_->channel(), kService + method, bytes);
      EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << method;
      EXPECT_EQ(st.error_message(),
                "the request is not a valid aichemist_archivum." + type + kSuffix);
    }
    int events = -1;
    const grpc::Status st =
        RawStreamingCall(daemon_->channel(), kService + "IngestStream", {bytes}, &events);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_EQ(st.error_message(),
              "the request is not a valid aichemist_archivum.IngestRequest" + kSuffix);
    EXPECT_EQ(events, 0);
    // The health service parses its requests the same way.
    const std::string kHealthType = "the request is not a valid grpc.health.v1.HealthCheckRequest";
    const grpc::Status check =
        RawUnaryCall(daemon_->channel(), "/grpc.health.v1.Health/Check", bytes);
    EXPECT_EQ(check.error_code(), StatusCode::INVALID_ARGUMENT) << check.error_message();
    EXPECT_EQ(check.error_message(), kHealthType + kSuffix);
    const grpc::Status watch =
        RawStreamingCall(daemon_->channel(), "/grpc.health.v1.Health/Watch", {bytes}, &events);
    EXPECT_EQ(watch.error_code(), StatusCode::INVALID_ARGUMENT) << watch.error_message();
    EXPECT_EQ(watch.error_message(), kHealthType + kSuffix);
    EXPECT_EQ(events, 0);
  }
  // An upload whose header is fine but whose next chunk is not is refused, not taken as a
  // complete (truncated) upload.
  pb::UploadChunk header;
  header.mutable_header()->set_name("partial.txt");
  for (const auto& bytes : inputs) {
    int events = -1;
    const grpc::Status st = RawStreamingCall(daemon_->channel(), kService + "Upload",
                                             {header.SerializeAsString(), bytes}, &events);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_EQ(
        st.error_message(),
        "upload message 2: the request is not a valid aichemist_archivum.UploadChunk" + kSuffix);
  }
  {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path("upload:partial.txt");
    pb::Document doc;
    EXPECT_EQ(
        pb::FileManager::NewStub(daemon_->channel())->GetDocument(&ctx, req, &doc).error_code(),
        StatusCode::NOT_FOUND);
  }

  // Well-formed bytes still work on the same channel: an empty AnalyzeRequest is refused by the
  // core, not by the transport, and an empty ListPluginsRequest is answered.
  const grpc::Status empty = RawUnaryCall(daemon_->channel(), kService + "Analyze", "");
  EXPECT_EQ(empty.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(empty.error_message().find("the request is not a valid"), std::string::npos)
      << empty.error_message();
  EXPECT_TRUE(RawUnaryCall(daemon_->channel(), kService + "ListPlugins", "").ok());
  EXPECT_TRUE(RawUnaryCall(daemon_->channel(), "/grpc.health.v1.Health/Check", "").ok());
  ExpectStillServing();
}

TEST_F(HostileInputTest, MalformedJsonIs400) {
  const std::pair<std::string, std::string> cases[] = {
      {"/v1/ingest", R"({"path": )"},                // truncated
      {"/v1/ingest", R"({"path": 42})"},             // wrong type
      {"/v1/analyze", R"(["query"])"},               // not an object
      {"/v1/analyze", R"({"limit": -1})"},           // out of range for uint32
      {"/v1/analyze", "{\"query\": \"\xff\xfe\"}"},  // not UTF-8
      {"/analyze", R"({"query": "a")"},              // the seed route: unterminated
  };
  for (const auto& [target, body] : cases) {
    const ht::Response res = Http(ht::http::verb::post, target, body);
    EXPECT_EQ(res.result_int(), 400u) << target << " " << body << ": " << res.body();
    EXPECT_EQ(BodyJson(res)["code"], 3) << res.body();
  }
  // A body that is not JSON at all, declared as something else.
  const ht::Response res = Http(ht::http::verb::post, "/v1/analyze", "query=x", "text/plain");
  EXPECT_EQ(res.result_int(), 415u) << res.body();
  ExpectStillServing();
}

TEST_F(HostileInputTest, HugeHeadersAre431) {
  // 2 x 60,000 bytes: past the gateway's limit (server.http.max_header_size), within what one
  // header field may hold.
  const ht::Response res =
      Http(ht::http::verb::post, "/v1/analyze", R"({"query":"x"})", "application/json",
           {{"X-Padding-1", std::string(60000, 'p')}, {"X-Padding-2", std::string(60000, 'q')}});
  EXPECT_EQ(res.result_int(), 431u) << res.body();
  EXPECT_EQ(BodyJson(res)["code"], 8);

  // Over gRPC, metadata past the server's limit fails the call (gRPC may also drop that
  // connection, hence a channel of its own), not the server.
  auto stub = pb::FileManager::NewStub(FreshChannel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.AddMetadata("x-padding", std::string(64 * 1024, 'p'));
  pb::AnalyzeRequest req;
  req.set_query("x");
  pb::AnalyzeResponse resp;
  const grpc::Status st = stub->Analyze(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_EQ(st.error_message(), "received initial metadata size exceeds limit");
  ExpectStillServing();
}

TEST_F(HostileInputTest, InvalidQueriesAreInvalidArgumentAnd400) {
  const std::string queries[] = {
      "",                                               // empty
      "size>abc",                                       // bad value
      "unknownfield:x",                                 // unknown filter
      "-only -exclusions",                              // nothing every result must satisfy
      "\"unterminated",                                 // open quote
      std::string(9, '(') + "a" + std::string(9, ')'),  // deeper than 8
      std::string(5000, 'a'),                           // longer than 4096 bytes
      std::string("a\0b", 3),                           // NUL inside a word
  };
  for (const auto& q : queries) {
    pb::AnalyzeResponse r;
    const grpc::Status st = Analyze(q, &r);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT)
        << "'" << q.substr(0, 40) << "': " << st.error_message();
    const ht::Response res = PostJson("/v1/analyze", {{"query", q}});
    EXPECT_EQ(res.result_int(), 400u) << "'" << q.substr(0, 40) << "': " << res.body();
  }
  // Query strings on GET routes: a malformed escape.
  const ht::Response res = Http(ht::http::verb::get, "/v1/analyze?query=%ZZ");
  EXPECT_EQ(res.result_int(), 400u) << res.body();
  ExpectStillServing();
}

// With auth.tokens_file set, every FileManager call needs "authorization: Bearer <token>".
class HostileInputAuthTest : public HostileInputTest {
 protected:
  static constexpr char kToken[] = "hostile-input-token-5f1c2a";
  void SetUp() override {
    const fs::path tokens = corpus() / "tokens";
    std::ofstream(tokens) << "# hostile input\n" << kToken << "\n";
    fs::permissions(tokens, fs::perms::owner_read | fs::perms::owner_write);
    StartDaemon("auth:\n  tokens_file: " + tokens.string() + "\n");
  }
};

TEST_F(HostileInputAuthTest, MissingOrWrongTokenIsUnauthenticatedAnd401) {
  testing::WriteFile(corpus() / "doc.txt", "hello");
  for (const std::string token : {"", "wrong-token"}) {
    pb::IngestSummary s;
    grpc::Status st = Ingest(P("doc.txt"), &s, token);
    EXPECT_EQ(st.error_code(), StatusCode::UNAUTHENTICATED) << "'" << token << "'";
    EXPECT_EQ(st.error_message().find(kToken), std::string::npos) << "never echoes a token";
    pb::AnalyzeResponse r;
    EXPECT_EQ(Analyze("hello", &r, token).error_code(), StatusCode::UNAUTHENTICATED);

    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    const ht::Response res = Http(ht::http::verb::post, "/v1/analyze", R"({"query":"hello"})",
                                  "application/json", headers);
    EXPECT_EQ(res.result_int(), 401u) << res.body();
    EXPECT_EQ(BodyJson(res)["code"], 16);
  }
  pb::IngestSummary s;
  const grpc::Status st = Ingest(P("doc.txt"), &s, kToken);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.files_ingested(), 1u);
  ExpectStillServing(kToken);
}

}  // namespace
}  // namespace archivum::hostile_input
