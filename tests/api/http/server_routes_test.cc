// The gateway end to end over real HTTP: every route, JSON conventions, metadata, deadline,
// health, keep-alive and pipelining.
#include <gtest/gtest.h>

#include "api/http/gateway_fixture.h"

namespace archivum::http_testing {
namespace {

using nlohmann::json;

TEST_F(GatewayTest, SeedIngestAnswersStatusOkWithTheSummary) {
  const Response res = Call(http::verb::post, "/ingest", R"({"path": "/data/docs"})");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[http::field::content_type], "application/json");
  const json body = Json(res);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["filesSeen"], "3");
  EXPECT_EQ(body["filesIngested"], "2");
  EXPECT_EQ(body["bytesIngested"], "42");
  EXPECT_EQ(body["filesFailed"], "0");  // unpopulated fields are emitted
  EXPECT_EQ(body["errors"], json::array());
  ASSERT_TRUE(fake_.last_ingest().has_value());
  EXPECT_EQ(fake_.last_ingest()->path(), "/data/docs");
}

TEST_F(GatewayTest, SeedAnalyzeAnswersResultsAndHits) {
  const Response res = Call(http::verb::post, "/analyze", R"({"query": "report"})");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  const json body = Json(res);
  EXPECT_EQ(body["results"], (json{"/a/report", "/b/report"}));
  ASSERT_EQ(body["hits"].size(), 2u);
  EXPECT_EQ(body["hits"][0]["path"], "/a/report");
  EXPECT_EQ(body["hits"][0]["score"], 2.5);
  EXPECT_EQ(body["hits"][0]["mtimeNs"], "1700000000000000000");
  EXPECT_EQ(body["hits"][0]["snippet"], "");
  EXPECT_EQ(body["hits"][0]["findings"][0],
            (json{{"plugin", "text"}, {"key", "lang"}, {"value", "en"}}));
  EXPECT_FALSE(body.contains("status"));
}

TEST_F(GatewayTest, EveryUnaryRpcUnderV1AndUnboundForm) {
  EXPECT_EQ(Json(Call(http::verb::post, "/v1/ingest", R"({"path":"/x"})"))["filesSeen"], "3");
  EXPECT_EQ(Json(Call(http::verb::post, "/v1/analyze", R"({"query":"q"})"))["results"][0], "/a/q");
  EXPECT_EQ(Json(Call(http::verb::post, "/v1/get_document", R"({"path":"/d"})"))["sha256"], "abc");
  EXPECT_EQ(Json(Call(http::verb::post, "/v1/list_plugins"))["plugins"].size(), 2u);
  for (const char* method : {"Ingest", "Analyze", "GetDocument", "ListPlugins"}) {
    const Response res =
        Call(http::verb::post, std::string("/aichemist_archivum.FileManager/") + method,
             R"({"path":"/p","query":"q"})");
    EXPECT_EQ(res.result_int(), 200u) << method << ": " << res.body();
  }
}

TEST_F(GatewayTest, GetMapsQueryParametersOntoTheRequest) {
  const Response res = Call(http::verb::get, "/v1/analyze?query=hello%20world&limit=5&offset=1");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  ASSERT_TRUE(fake_.last_analyze().has_value());
  EXPECT_EQ(fake_.last_analyze()->query(), "hello world");
  EXPECT_EQ(fake_.last_analyze()->limit(), 5u);
  EXPECT_EQ(fake_.last_analyze()->offset(), 1u);
  EXPECT_EQ(Json(res)["total"], "5");

  const Response bad = Call(http::verb::get, "/v1/analyze?query=x&limit=lots");
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_EQ(Json(bad)["code"], 3);
}

TEST_F(GatewayTest, RestAliasesForDocumentsAndPlugins) {
  const Response doc = Call(http::verb::get, "/v1/documents?path=%2Fsrv%2Fa%20b.txt");
  ASSERT_EQ(doc.result_int(), 200u) << doc.body();
  EXPECT_EQ(Json(doc)["path"], "/srv/a b.txt");
  EXPECT_EQ(Json(doc)["size"], "7");
  EXPECT_EQ(Json(doc)["parent"], "");
  EXPECT_EQ(Json(doc)["ingestedAtNs"], "0");

  const Response plugins = Call(http::verb::get, "/v1/plugins");
  ASSERT_EQ(plugins.result_int(), 200u) << plugins.body();
  const json body = Json(plugins);
  EXPECT_EQ(body["hostAbiVersion"], "1.0");
  EXPECT_EQ(body["plugins"][0]["state"], "LOADED");
  EXPECT_EQ(body["plugins"][0]["threadSafe"], true);
  EXPECT_EQ(body["plugins"][1]["state"], "FAILED");
  EXPECT_EQ(body["plugins"][1]["accepts"], json::array());
  EXPECT_EQ(Call(http::verb::get, "/v1/list_plugins").result_int(), 200u);
}

TEST_F(GatewayTest, ThumbnailIsServedAsTheImageItselfAndNeverSniffed) {
  const Response image = Call(http::verb::get, "/v1/thumbnail?path=%2Fsrv%2Fphoto.jpg");
  ASSERT_EQ(image.result_int(), 200u) << image.body();
  EXPECT_EQ(image[http::field::content_type], "image/png");
  EXPECT_EQ(image["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(image["Content-Security-Policy"], "default-src 'none'");
  EXPECT_EQ(image.body(), std::string("\x89PNG\r\n\x1A\n", 8));

  // The generic route answers JSON (the bytes in base64), like every method.
  const Response as_json = Call(http::verb::get, "/v1/get_thumbnail?path=%2Fsrv%2Fphoto.jpg");
  ASSERT_EQ(as_json.result_int(), 200u) << as_json.body();
  EXPECT_EQ(Json(as_json)["mime"], "image/png");
  EXPECT_EQ(Json(as_json)["data"], "iVBORw0KGgo=");

  // No thumbnail: the error body, as JSON, with the mapped status.
  const Response missing = Call(http::verb::get, "/v1/thumbnail?path=status:5");
  EXPECT_EQ(missing.result_int(), 404u);
  EXPECT_EQ(missing[http::field::content_type], "application/json");
  EXPECT_EQ(Json(missing)["code"], 5);
  EXPECT_EQ(Call(http::verb::post, "/v1/thumbnail").result_int(), 405u);
}

TEST_F(GatewayTest, QuarantineIsListedWithGetAndClearedWithDeleteOrPostButNeverGet) {
  const Response list = Call(http::verb::get, "/v1/quarantine");
  ASSERT_EQ(list.result_int(), 200u) << list.body();
  const json entry = Json(list)["entries"][0];
  EXPECT_EQ(entry["sha256"], std::string(64, 'a'));
  EXPECT_EQ(entry["pluginVersion"], "1.0");
  EXPECT_EQ(entry["atNs"], "1700000000000000000");
  EXPECT_EQ(Call(http::verb::get, "/v1/list_quarantine").result_int(), 200u);

  const Response cleared =
      Call(http::verb::delete_, "/v1/quarantine?plugin=text&sha256=" + std::string(64, 'b'));
  ASSERT_EQ(cleared.result_int(), 200u) << cleared.body();
  EXPECT_EQ(Json(cleared)["cleared"], "1");
  ASSERT_TRUE(fake_.last_clear().has_value());
  EXPECT_EQ(fake_.last_clear()->plugin(), "text");
  EXPECT_EQ(fake_.last_clear()->sha256(), std::string(64, 'b'));

  const Response all = Call(http::verb::delete_, "/v1/quarantine");
  EXPECT_EQ(Json(all)["cleared"], "3");
  const Response posted = Call(http::verb::post, "/v1/clear_quarantine", R"({"plugin":"x"})");
  ASSERT_EQ(posted.result_int(), 200u) << posted.body();
  EXPECT_EQ(fake_.last_clear()->plugin(), "x");
  const Response failed =
      Call(http::verb::post, "/v1/clear_quarantine", R"({"plugin":"status:3"})");
  EXPECT_EQ(failed.result_int(), 400u);

  // A GET never clears: a link or another site's <img> could send it.
  const Response get = Call(http::verb::get, "/v1/clear_quarantine?plugin=y");
  EXPECT_EQ(get.result_int(), 405u);
  EXPECT_EQ(get[http::field::allow], "POST");
  EXPECT_EQ(fake_.last_clear()->plugin(), "status:3");  // the last call that reached the core
}

TEST_F(GatewayTest, UnpopulatedFieldsAreEmitted) {
  const Response res = Call(http::verb::post, "/v1/analyze", R"({"query":"empty"})");
  EXPECT_EQ(Json(res), (json{{"results", json::array()},
                             {"hits", json::array()},
                             {"total", "0"},
                             {"facets", json::array()}}));
}

TEST_F(GatewayTest, UnknownInputFieldsAreIgnoredAndEmptyBodyIsEmptyMessage) {
  EXPECT_EQ(
      Call(http::verb::post, "/v1/analyze", R"({"query":"x","future_field":{"a":1}})").result_int(),
      200u);
  EXPECT_EQ(fake_.last_analyze()->query(), "x");
  const Response empty = Call(http::verb::post, "/v1/analyze");
  EXPECT_EQ(empty.result_int(), 200u);
  EXPECT_EQ(fake_.last_analyze()->query(), "");
  EXPECT_EQ(Call(http::verb::post, "/v1/analyze", R"({"query":"y"})", {},
                 "application/json; charset=utf-8")
                .result_int(),
            200u);
}

TEST_F(GatewayTest, AuthorizationAndGrpcMetadataReachTheCore) {
  Call(http::verb::post, "/v1/analyze", R"({"query":"x"})",
       {{"Authorization", "Bearer s3cret"}, {"Grpc-Metadata-Tenant", "acme"}});
  const auto md = fake_.last_metadata();
  ASSERT_EQ(md.count("authorization"), 1u);
  EXPECT_EQ(md.find("authorization")->second, "Bearer s3cret");
  EXPECT_EQ(md.find("tenant")->second, "acme");
}

TEST_F(GatewayTest, GrpcTimeoutSetsTheDeadline) {
  const auto before = std::chrono::system_clock::now();
  Call(http::verb::post, "/v1/analyze", R"({"query":"x"})", {{"Grpc-Timeout", "50S"}});
  const auto after = std::chrono::system_clock::now();
  const auto deadline = fake_.last_deadline();
  EXPECT_GE(deadline, before + std::chrono::seconds(50));
  EXPECT_LE(deadline, after + std::chrono::seconds(50));

  Call(http::verb::post, "/v1/analyze", R"({"query":"x"})");
  EXPECT_EQ(fake_.last_deadline(), std::chrono::system_clock::time_point::max());

  const Response bad =
      Call(http::verb::post, "/v1/analyze", R"({"query":"x"})", {{"Grpc-Timeout", "5 seconds"}});
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_NE(Json(bad)["message"].get<std::string>().find("Grpc-Timeout"), std::string::npos);
}

TEST_F(GatewayTest, HealthzMirrorsServing) {
  Response res = Call(http::verb::get, "/healthz");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(Json(res), (json{{"status", "SERVING"}}));
  serving_ = false;
  res = Call(http::verb::get, "/healthz");
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(Json(res), (json{{"status", "NOT_SERVING"}}));
}

TEST_F(GatewayTest, ReadyzMirrorsReady) {
  EXPECT_EQ(Call(http::verb::get, "/readyz").result_int(), 200u);
  ready_ = false;
  const Response res = Call(http::verb::get, "/readyz");
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(Json(res), (json{{"status", "NOT_READY"}}));
  EXPECT_EQ(Call(http::verb::get, "/healthz").result_int(), 200u);  // alive, just not ready
}

TEST_F(GatewayTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  for (const char* q : {"one", "two", "three"}) {
    beast::error_code ec;
    const Response res = conn.RoundTrip(
        MakeRequest(http::verb::post, "/v1/analyze", json{{"query", q}}.dump()), &ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(Json(res)["results"][0], std::string("/a/") + q);
  }
}

TEST_F(GatewayTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  std::string both;
  for (const char* q : {"first", "second"}) {
    const std::string body = json{{"query", q}}.dump();
    both +=
        "POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  both += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_FALSE(conn.WriteRaw(both));
  Response a, b, c;
  ASSERT_FALSE(conn.Read(&a));
  ASSERT_FALSE(conn.Read(&b));
  ASSERT_FALSE(conn.Read(&c));
  EXPECT_EQ(Json(a)["results"][0], "/a/first");
  EXPECT_EQ(Json(b)["results"][0], "/a/second");
  EXPECT_EQ(Json(c)["status"], "SERVING");
}

TEST_F(GatewayTest, ConnectionCloseIsHonoured) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  beast::error_code ec;
  const Response res = conn.RoundTrip(
      MakeRequest(http::verb::get, "/healthz", "", "", {{"Connection", "close"}}), &ec);
  ASSERT_FALSE(ec);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(conn.ReadUntilClosed(), "");
}

}  // namespace
}  // namespace archivum::http_testing
