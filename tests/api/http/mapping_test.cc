// The gateway's pure pieces: status mapping, JSON conventions, query parameters, Grpc-Timeout,
// metadata, routing from descriptors, the unbound-method path and the streaming hand-offs.
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <boost/beast/http/fields.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "aichemist_archivum.pb.h"
#include "api/http/call_metadata.h"
#include "api/http/download_head.h"
#include "api/http/fake_file_manager.h"
#include "api/http/json_mapping.h"
#include "api/http/ndjson_stream.h"
#include "api/http/query_params.h"
#include "api/http/router.h"
#include "api/http/rpc_call.h"
#include "api/http/service_binding.h"
#include "api/http/upload_bridge.h"

namespace archivum::api::gateway {
namespace {

namespace pb = ::aichemist_archivum;
namespace http = boost::beast::http;
using nlohmann::json;

const google::protobuf::ServiceDescriptor* Service() {
  return pb::IngestRequest::descriptor()->file()->FindServiceByName("FileManager");
}

TEST(StatusMapping, FollowsGrpcGateway) {
  const std::pair<StatusCode, unsigned> expected[] = {
      {StatusCode::kOk, 200},
      {StatusCode::kCancelled, 499},
      {StatusCode::kUnknown, 500},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kDeadlineExceeded, 504},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kFailedPrecondition, 400},
      {StatusCode::kAborted, 409},
      {StatusCode::kOutOfRange, 400},
      {StatusCode::kUnimplemented, 501},
      {StatusCode::kInternal, 500},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kDataLoss, 500},
      {StatusCode::kUnauthenticated, 401},
  };
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(HttpStatusFromCode(code), status) << StatusCodeName(code);
  }
}

TEST(ErrorJson, IsGoogleRpcStatus) {
  const json body = json::parse(ErrorJson(NotFound("no \"such\" thing")));
  EXPECT_EQ(body,
            (json{{"code", 5}, {"message", "no \"such\" thing"}, {"details", json::array()}}));
}

TEST(ErrorJson, SurvivesInvalidUtf8) {
  const json body = json::parse(ErrorJson(InvalidArgument("bad \xff name")));
  EXPECT_EQ(body["code"], 3);
}

TEST(ContentType, AcceptsJsonWithUtf8Charset) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON"));
  EXPECT_TRUE(IsJsonContentType("application/json; charset=utf-8"));
  EXPECT_TRUE(IsJsonContentType("application/json;charset=\"UTF-8\""));
  EXPECT_FALSE(IsJsonContentType("application/json; charset=latin1"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsJsonContentType(""));
}

TEST(JsonBody, AcceptsBothFieldNameStylesAndIgnoresUnknownFields) {
  pb::IngestSummary camel;
  ASSERT_TRUE(ParseJsonBody(R"({"filesSeen": "3", "durationMs": 9, "nope": [1]})", &camel).ok());
  EXPECT_EQ(camel.files_seen(), 3u);
  EXPECT_EQ(camel.duration_ms(), 9u);
  pb::IngestSummary snake;
  ASSERT_TRUE(ParseJsonBody(R"({"files_seen": 4, "duration_ms": "10"})", &snake).ok());
  EXPECT_EQ(snake.files_seen(), 4u);
  EXPECT_EQ(snake.duration_ms(), 10u);
}

TEST(JsonBody, EmptyBodyIsTheEmptyMessage) {
  pb::AnalyzeRequest req;
  EXPECT_TRUE(ParseJsonBody("", &req).ok());
  EXPECT_TRUE(ParseJsonBody(" \r\n", &req).ok());
  EXPECT_EQ(req.query(), "");
}

TEST(JsonBody, MalformedIsInvalidArgument) {
  pb::AnalyzeRequest req;
  const Status st = ParseJsonBody(R"({"query": )", &req);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("aichemist_archivum.AnalyzeRequest"), std::string::npos);
  EXPECT_EQ(ParseJsonBody(R"({"limit": "many"})", &req).code(), StatusCode::kInvalidArgument);
}

TEST(PrintJson, CamelCaseWithUnpopulatedFields) {
  pb::AnalyzeResponse empty;
  EXPECT_EQ(json::parse(*PrintJson(empty)), (json{{"results", json::array()},
                                                  {"hits", json::array()},
                                                  {"total", "0"},
                                                  {"facets", json::array()}}));
  pb::Hit hit;
  hit.set_mtime_ns(5);
  const json j = json::parse(*PrintJson(hit));
  EXPECT_EQ(j["mtimeNs"], "5");
  EXPECT_EQ(j["snippet"], "");
  EXPECT_EQ(j["score"], 0);
  EXPECT_EQ(j["findings"], json::array());
  EXPECT_FALSE(j.contains("mtime_ns"));
}

TEST(QueryParams, MapsScalarsByEitherName) {
  pb::AnalyzeRequest req;
  ASSERT_TRUE(MergeQueryParams("query=hello+w%C3%B6rld%21&limit=5&offset=2&ignored=1", &req).ok());
  EXPECT_EQ(req.query(), "hello w\xC3\xB6rld!");
  EXPECT_EQ(req.limit(), 5u);
  EXPECT_EQ(req.offset(), 2u);

  pb::Hit hit;
  ASSERT_TRUE(MergeQueryParams("mtime_ns=-7&score=1.5", &hit).ok());
  EXPECT_EQ(hit.mtime_ns(), -7);
  EXPECT_DOUBLE_EQ(hit.score(), 1.5);
  ASSERT_TRUE(MergeQueryParams("mtimeNs=8", &hit).ok());
  EXPECT_EQ(hit.mtime_ns(), 8);
}

TEST(QueryParams, RepeatedEnumBoolAndNestedFields) {
  pb::PluginInfo info;
  ASSERT_TRUE(MergeQueryParams(
                  "accepts=text/*&accepts=application/pdf&state=FAILED&thread_safe=true", &info)
                  .ok());
  EXPECT_EQ(info.accepts_size(), 2);
  EXPECT_EQ(info.accepts(1), "application/pdf");
  EXPECT_EQ(info.state(), pb::PluginInfo::FAILED);
  EXPECT_TRUE(info.thread_safe());
  pb::PluginInfo by_number;
  ASSERT_TRUE(MergeQueryParams("state=1", &by_number).ok());
  EXPECT_EQ(by_number.state(), pb::PluginInfo::LOADED);

  pb::IngestEvent ev;
  ASSERT_TRUE(MergeQueryParams("totals.filesSeen=4&totals.files_failed=1", &ev).ok());
  EXPECT_EQ(ev.totals().files_seen(), 4u);
  EXPECT_EQ(ev.totals().files_failed(), 1u);
}

TEST(QueryParams, RejectsWhatDoesNotConvert) {
  pb::AnalyzeRequest req;
  EXPECT_EQ(MergeQueryParams("limit=abc", &req).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeQueryParams("limit=-1", &req).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeQueryParams("limit=99999999999", &req).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeQueryParams("query=a&query=b", &req).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeQueryParams("query=%zz", &req).code(), StatusCode::kInvalidArgument);
  pb::PluginInfo info;
  EXPECT_EQ(MergeQueryParams("thread_safe=maybe", &info).code(), StatusCode::kInvalidArgument);
  pb::IngestEvent ev;
  EXPECT_EQ(MergeQueryParams("totals=1", &ev).code(), StatusCode::kInvalidArgument);
}

TEST(QueryParams, FindsOneDecodedValue) {
  EXPECT_EQ(FindQueryParam("a=1&name=my%20file.txt&name=x", "name"), "my file.txt");
  EXPECT_EQ(FindQueryParam("a=1", "name"), std::nullopt);
  EXPECT_EQ(DecodeQueryComponent("%4"), std::nullopt);
}

TEST(GrpcTimeout, ParsesEveryUnit) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(*ParseGrpcTimeout("2H"), std::chrono::hours(2));
  EXPECT_EQ(*ParseGrpcTimeout("3M"), std::chrono::minutes(3));
  EXPECT_EQ(*ParseGrpcTimeout("5S"), std::chrono::seconds(5));
  EXPECT_EQ(*ParseGrpcTimeout("100m"), std::chrono::milliseconds(100));
  EXPECT_EQ(*ParseGrpcTimeout("30u"), std::chrono::microseconds(30));
  EXPECT_EQ(*ParseGrpcTimeout("1n"), nanoseconds(1));
  EXPECT_EQ(*ParseGrpcTimeout("99999999H"), nanoseconds::max());  // saturates
}

TEST(GrpcTimeout, RejectsMalformedValues) {
  for (const char* bad : {"", "S", "5", "5s", "5 S", "-5S", "123456789S", "5SS", "1.5S"}) {
    EXPECT_EQ(ParseGrpcTimeout(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(CallContext, ForwardsAuthorizationMetadataAndDeadline) {
  http::fields headers;
  headers.set(http::field::authorization, "Bearer t0k3n");
  headers.set("Grpc-Metadata-Tenant", "acme");
  headers.set("Grpc-Timeout", "1500m");
  headers.set("X-Other", "not forwarded");
  const auto now = std::chrono::system_clock::now();
  auto ctx = MakeCallContext(
      headers, [] { return true; }, now);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->metadata().size(), 2u);
  EXPECT_EQ(ctx->metadata().find("authorization")->second, "Bearer t0k3n");
  EXPECT_EQ(ctx->metadata().find("tenant")->second, "acme");
  EXPECT_EQ(ctx->deadline, now + std::chrono::milliseconds(1500));
  EXPECT_TRUE(ctx->IsCancelled());

  http::fields none;
  EXPECT_EQ(MakeCallContext(none, {}, now)->deadline, std::chrono::system_clock::time_point::max());
  http::fields huge;
  huge.set("Grpc-Timeout", "99999999H");
  EXPECT_EQ(MakeCallContext(huge, {}, now)->deadline, std::chrono::system_clock::time_point::max());
  http::fields bad;
  bad.set("Grpc-Timeout", "soon");
  EXPECT_EQ(MakeCallContext(bad, {}, now).status().code(), StatusCode::kInvalidArgument);

  // Header names match in any case; the forwarded key is lower-cased.
  http::fields mixed;
  mixed.set("AUTHORIZATION", "Bearer x");
  mixed.set("grpc-METADATA-Request-Id", "42");
  mixed.set("GRPC-TIMEOUT", "2S");
  auto m = MakeCallContext(mixed, {}, now);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->metadata().find("authorization")->second, "Bearer x");
  EXPECT_EQ(m->metadata().find("request-id")->second, "42");
  EXPECT_EQ(m->deadline, now + std::chrono::seconds(2));
}

TEST(CallContext, LazyMetadataIsBuiltOnceOnFirstUse) {
  CallContext ctx;
  EXPECT_TRUE(ctx.metadata().empty());
  int calls = 0;
  ctx.set_metadata_source([&calls](CallContext::Metadata* out) {
    ++calls;
    out->emplace("user-agent", "test");
  });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(ctx.metadata().size(), 1u);
  EXPECT_EQ(ctx.metadata().find("user-agent")->second, "test");
  EXPECT_EQ(calls, 1);
  // A copy made after the first use carries the map, not the source.
  const CallContext copy = ctx;
  EXPECT_EQ(copy.metadata().size(), 1u);
  EXPECT_EQ(calls, 1);
  ctx.set_metadata({{"a", "1"}, {"a", "2"}});
  EXPECT_EQ(ctx.metadata().count("a"), 2u);
}

TEST(SnakeCase, SplitsWordsAndAcronyms) {
  EXPECT_EQ(SnakeCase("Ingest"), "ingest");
  EXPECT_EQ(SnakeCase("IngestStream"), "ingest_stream");
  EXPECT_EQ(SnakeCase("GetDocument"), "get_document");
  EXPECT_EQ(SnakeCase("ListPlugins"), "list_plugins");
  EXPECT_EQ(SnakeCase("GetHTTPHeader"), "get_http_header");
  EXPECT_EQ(SnakeCase("Sha256Sum"), "sha256_sum");
}

TEST(Router, EveryMethodOfTheDescriptorIsRouted) {
  const Router router(Service());
  const auto* service = Service();
  ASSERT_GE(service->method_count(), 6);
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* m = service->method(i);
    const Route v1 = router.Match(http::verb::post, "/v1/" + SnakeCase(m->name()));
    ASSERT_EQ(v1.kind, Route::Kind::kRpc) << m->name();
    EXPECT_EQ(v1.method, m);
    EXPECT_FALSE(v1.from_query);
    const Route unbound =
        router.Match(http::verb::post, "/aichemist_archivum.FileManager/" + m->name());
    ASSERT_EQ(unbound.kind, Route::Kind::kRpc) << m->name();
    EXPECT_EQ(unbound.method, m);
    const Route get = router.Match(http::verb::get, "/v1/" + SnakeCase(m->name()));
    // Methods that change state (IDEMPOTENT in the proto) are never served over GET.
    const bool changes_state =
        m->options().idempotency_level() == google::protobuf::MethodOptions::IDEMPOTENT;
    if (m->client_streaming() || m->server_streaming() || changes_state) {
      EXPECT_EQ(get.kind, Route::Kind::kMethodNotAllowed) << m->name();
      EXPECT_EQ(get.allow, "POST");
    } else {
      EXPECT_EQ(get.kind, Route::Kind::kRpc) << m->name();
      EXPECT_TRUE(get.from_query);
    }
  }
}

TEST(Router, AliasesBuiltinsAndMisses) {
  const Router router(Service());
  const Route ingest = router.Match(http::verb::post, "/ingest");
  ASSERT_EQ(ingest.kind, Route::Kind::kRpc);
  EXPECT_EQ(ingest.method->name(), "Ingest");
  EXPECT_TRUE(ingest.seed_status);
  EXPECT_EQ(router.Match(http::verb::post, "/analyze").method->name(), "Analyze");
  EXPECT_FALSE(router.Match(http::verb::post, "/analyze").seed_status);
  EXPECT_EQ(router.Match(http::verb::get, "/v1/plugins").method->name(), "ListPlugins");
  const Route docs = router.Match(http::verb::get, "/v1/documents");
  EXPECT_EQ(docs.method->name(), "GetDocument");
  EXPECT_TRUE(docs.from_query);
  EXPECT_EQ(router.Match(http::verb::get, "/healthz").kind, Route::Kind::kHealthz);
  EXPECT_EQ(router.Match(http::verb::get, "/readyz").kind, Route::Kind::kReadyz);
  EXPECT_EQ(router.Match(http::verb::get, "/nope").kind, Route::Kind::kNotFound);
  EXPECT_EQ(router.Match(http::verb::get, "/v1/analyze/").kind, Route::Kind::kNotFound);
  const Route put = router.Match(http::verb::put, "/v1/analyze");
  EXPECT_EQ(put.kind, Route::Kind::kMethodNotAllowed);
  EXPECT_EQ(put.allow, "POST, GET");
  EXPECT_EQ(router.Match(http::verb::post, "/healthz").allow, "GET");
}

TEST(Router, ContentIsADownloadOverGetOnly) {
  const Router router(Service());
  const Route content = router.Match(http::verb::get, "/v1/content");
  ASSERT_EQ(content.kind, Route::Kind::kRpc);
  EXPECT_EQ(content.method->name(), "GetContent");
  EXPECT_TRUE(content.media);
  EXPECT_TRUE(content.from_query);
  EXPECT_EQ(router.Match(http::verb::post, "/v1/content").kind, Route::Kind::kMethodNotAllowed);
  // The descriptor's route streams NDJSON as for every server stream.
  EXPECT_FALSE(router.Match(http::verb::post, "/v1/get_content").media);
}

TEST(Download, ActiveOrUnknownTypesBecomeOctetStream) {
  EXPECT_EQ(DownloadMediaType("application/pdf"), "application/pdf");
  EXPECT_EQ(DownloadMediaType("Text/Plain; charset=utf-8"), "text/plain");
  EXPECT_EQ(DownloadMediaType("image/png"), "image/png");
  for (const char* active :
       {"text/html", "TEXT/HTML", "image/svg+xml", "application/xhtml+xml", "text/xml",
        "application/xml", "application/javascript", "text/javascript", "text/ecmascript",
        "application/rss+xml", "multipart/x-mixed-replace", "text/xsl", "", "text", "/plain",
        "text/", "text/pl ain", "text/plain\r\nX-Injected: 1", "application/octet-stream"}) {
    EXPECT_EQ(DownloadMediaType(active), "application/octet-stream") << active;
  }
}

TEST(Download, DispositionIsAnAttachmentNamedSafely) {
  EXPECT_EQ(ContentDisposition("/srv/docs/report 1.pdf"),
            "attachment; filename=\"report 1.pdf\"; filename*=UTF-8''report%201.pdf");
  // A member is named by its own name, not its container's.
  EXPECT_EQ(ContentDisposition("/srv/a.zip!/dir/b.txt"),
            "attachment; filename=\"b.txt\"; filename*=UTF-8''b.txt");
  EXPECT_EQ(ContentDisposition("upload:notes"),
            "attachment; filename=\"upload:notes\"; filename*=UTF-8''upload%3Anotes");
  EXPECT_EQ(ContentDisposition("/srv/"),
            "attachment; filename=\"download\"; filename*=UTF-8''download");
  // Quotes, backslashes, percent signs, CR/LF and non-ASCII never reach the quoted form as such.
  EXPECT_EQ(ContentDisposition("/x/a\"b\\c%d\r\nSet-Cookie: e.txt"),
            "attachment; filename=\"a_b_c_d__Set-Cookie: e.txt\"; "
            "filename*=UTF-8''a%22b%5Cc%25d%0D%0ASet-Cookie%3A%20e.txt");
  EXPECT_EQ(ContentDisposition("/x/r\xc3\xa9sum\xc3\xa9.txt"),
            "attachment; filename=\"r__sum__.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt");
}

TEST(Router, QuarantineAliasesAndNoGetForClearing) {
  const Router router(Service());
  const Route list = router.Match(http::verb::get, "/v1/quarantine");
  ASSERT_EQ(list.kind, Route::Kind::kRpc);
  EXPECT_EQ(list.method->name(), "ListQuarantine");
  EXPECT_TRUE(list.from_query);
  const Route clear = router.Match(http::verb::delete_, "/v1/quarantine");
  ASSERT_EQ(clear.kind, Route::Kind::kRpc);
  EXPECT_EQ(clear.method->name(), "ClearQuarantine");
  EXPECT_TRUE(clear.from_query);
  EXPECT_EQ(router.Match(http::verb::post, "/v1/quarantine").allow, "GET, DELETE");
  const Route get_clear = router.Match(http::verb::get, "/v1/clear_quarantine");
  EXPECT_EQ(get_clear.kind, Route::Kind::kMethodNotAllowed);
  EXPECT_EQ(get_clear.allow, "POST");
  EXPECT_EQ(router.Match(http::verb::post, "/v1/clear_quarantine").method->name(),
            "ClearQuarantine");
  EXPECT_EQ(router.Match(http::verb::get, "/v1/list_quarantine").method->name(), "ListQuarantine");
}

TEST(RunUnary, UnboundMethodIsUnimplementedNamingIt) {
  http_testing::FakeFileManager fake;
  Bindings bindings = BindFileManager(&fake);
  const Router router(Service());
  const Route route = router.Match(http::verb::post, "/v1/analyze");
  HttpCallInput input{"", "application/json", R"({"query":"x"})"};

  const JsonReply ok = RunUnary(bindings, route, input, CallContext{});
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(json::parse(ok.body)["results"][0], "/a/x");

  bindings.erase("Analyze");
  const JsonReply missing = RunUnary(bindings, route, input, CallContext{});
  EXPECT_EQ(missing.status, 501u);
  const json body = json::parse(missing.body);
  EXPECT_EQ(body["code"], 12);
  EXPECT_NE(body["message"].get<std::string>().find("aichemist_archivum.FileManager.Analyze"),
            std::string::npos);
}

TEST(RunUnary, RequestErrorsBecomeRepliesWithoutCalling) {
  http_testing::FakeFileManager fake;
  const Bindings bindings = BindFileManager(&fake);
  const Router router(Service());
  const Route post = router.Match(http::verb::post, "/v1/analyze");
  EXPECT_EQ(RunUnary(bindings, post, {"", "text/plain", "query=x"}, {}).status, 415u);
  EXPECT_EQ(RunUnary(bindings, post, {"", "application/json", "{"}, {}).status, 400u);
  const Route get = router.Match(http::verb::get, "/v1/analyze");
  EXPECT_EQ(RunUnary(bindings, get, {"limit=x", "", ""}, {}).status, 400u);
  EXPECT_FALSE(fake.last_analyze().has_value());
}

TEST(NdjsonQueue, LinesThenEndAndBackpressure) {
  EXPECT_EQ(ResultLine(R"({"a":1})"), "{\"result\":{\"a\":1}}\n");
  EXPECT_EQ(json::parse(ErrorLine(Internal("boom")))["error"]["code"], 13);

  NdjsonQueue q(1);
  ASSERT_TRUE(q.Push("one\n"));
  // The queue is full: the next push blocks until the consumer takes a line.
  std::thread producer([&] {
    EXPECT_TRUE(q.Push("two\n"));
    q.Close(NotFound("gone"));
  });
  auto a = q.Pop();
  EXPECT_EQ(a.kind, NdjsonQueue::Item::Kind::kLine);
  EXPECT_EQ(a.line, "one\n");
  producer.join();
  EXPECT_EQ(q.Pop().line, "two\n");
  const auto end = q.Pop();
  EXPECT_EQ(end.kind, NdjsonQueue::Item::Kind::kEnd);
  EXPECT_EQ(end.final.code(), StatusCode::kNotFound);
}

TEST(NdjsonQueue, AbortFailsBlockedProducer) {
  NdjsonQueue q(1);
  ASSERT_TRUE(q.Push("one\n"));
  std::thread producer([&] { EXPECT_FALSE(q.Push("two\n")); });
  q.Abort();
  producer.join();
  EXPECT_FALSE(q.Push("three\n"));
}

TEST(UploadBridge, HeaderThenPiecesThenEnd) {
  pb::UploadHeader header;
  header.set_name("doc.txt");
  header.set_size(6);
  int woken = 0;
  UploadBridge bridge(header, 2, [&] { ++woken; });
  bridge.Push("abc");
  bridge.Push("def");
  EXPECT_TRUE(bridge.Full());
  bridge.Finish();
  pb::UploadChunk chunk;
  ASSERT_TRUE(bridge.Next(&chunk));
  EXPECT_EQ(chunk.header().name(), "doc.txt");
  EXPECT_EQ(chunk.header().size(), 6u);
  ASSERT_TRUE(bridge.Next(&chunk));
  EXPECT_EQ(chunk.data(), "abc");
  EXPECT_EQ(woken, 1);  // taking from a full queue wakes the reader
  ASSERT_TRUE(bridge.Next(&chunk));
  EXPECT_EQ(chunk.data(), "def");
  EXPECT_FALSE(bridge.Next(&chunk));
}

TEST(UploadBridge, AbortEndsTheStream) {
  UploadBridge bridge(pb::UploadHeader(), 4, nullptr);
  pb::UploadChunk chunk;
  ASSERT_TRUE(bridge.Next(&chunk));  // header
  std::thread core([&] { EXPECT_FALSE(bridge.Next(&chunk)); });
  bridge.Abort();
  core.join();
}

}  // namespace
}  // namespace archivum::api::gateway
