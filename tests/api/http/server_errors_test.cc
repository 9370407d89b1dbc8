// Every error the gateway answers: mapped core statuses, routing, body and header problems.
#include <gtest/gtest.h>

#include "api/http/gateway_fixture.h"

namespace archivum::http_testing {
namespace {

using nlohmann::json;

TEST_F(GatewayTest, CoreStatusesMapToHttpStatusesWithRpcStatusBodies) {
  const std::pair<int, unsigned> cases[] = {
      {1, 499}, {2, 500},  {3, 400},  {4, 504},  {5, 404},  {6, 409},  {7, 403},  {8, 429},
      {9, 400}, {10, 409}, {11, 400}, {12, 501}, {13, 500}, {14, 503}, {15, 500}, {16, 401},
  };
  for (const auto& [code, http_status] : cases) {
    const Response res = Call(http::verb::post, "/v1/analyze",
                              json{{"query", "status:" + std::to_string(code)}}.dump());
    EXPECT_EQ(res.result_int(), http_status) << "code " << code;
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_EQ(Json(res), (json{{"code", code},
                               {"message", "canned error " + std::to_string(code)},
                               {"details", json::array()}}))
        << res.body();
  }
}

TEST_F(GatewayTest, SeedRoutesUseTheSameErrors) {
  const Response res = Call(http::verb::post, "/ingest", R"({"path":"status:7"})");
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(Json(res)["code"], 7);
  EXPECT_FALSE(Json(res).contains("status"));
}

TEST_F(GatewayTest, UnknownRouteIs404) {
  const Response res = Call(http::verb::get, "/v2/nothing");
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(Json(res)["code"], 5);
  EXPECT_NE(Json(res)["message"].get<std::string>().find("/v2/nothing"), std::string::npos);
}

TEST_F(GatewayTest, WrongMethodIs405WithAllow) {
  // (GET /ingest is the browser UI's Ingest page; POST /ingest the API's.)
  Response res = Call(http::verb::get, "/analyze");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[http::field::allow], "POST");
  EXPECT_EQ(Json(res)["code"], 12);
  res = Call(http::verb::delete_, "/v1/analyze");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[http::field::allow], "POST, GET");
  res = Call(http::verb::get, "/v1/ingest_stream?path=/x");  // streaming: POST only
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[http::field::allow], "POST");
}

TEST_F(GatewayTest, MalformedJsonIs400) {
  const Response res = Call(http::verb::post, "/v1/analyze", R"({"query": "x",)");
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(Json(res)["code"], 3);
  EXPECT_TRUE(res.keep_alive());  // the body was read: the connection stays usable
  EXPECT_FALSE(fake_.last_analyze().has_value());
}

TEST_F(GatewayTest, WrongContentTypeIs415) {
  Response res =
      Call(http::verb::post, "/v1/analyze", "query=x", {}, "application/x-www-form-urlencoded");
  EXPECT_EQ(res.result_int(), 415u);
  EXPECT_EQ(Json(res)["code"], 3);
  res = Call(http::verb::post, "/v1/analyze", R"({"query":"x"})", {}, "text/plain");
  EXPECT_EQ(res.result_int(), 415u);
  res = Call(http::verb::post, "/v1/analyze", R"({"query":"x"})", {}, "");
  EXPECT_EQ(res.result_int(), 415u);
}

TEST_F(GatewayTest, DeclaredBodyOverTheLimitIs413BeforeReadingIt) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  // Only the head: the server must answer without waiting for a body it will not accept.
  ASSERT_FALSE(
      conn.WriteRaw("POST /v1/analyze HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"));
  Response res;
  ASSERT_FALSE(conn.Read(&res));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_EQ(Json(res)["code"], 8);
  EXPECT_FALSE(res.keep_alive());
  conn.ReadUntilClosed();
}

TEST_F(GatewayTest, ChunkedBodyOverTheLimitIs413) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  Request req = MakeRequest(http::verb::post, "/v1/analyze",
                            R"({"query":")" + std::string(100 * 1024, 'a') + R"("})");
  req.chunked(true);
  ASSERT_FALSE(conn.Write(req));
  Response res;
  ASSERT_FALSE(conn.Read(&res));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_FALSE(fake_.last_analyze().has_value());
}

TEST_F(GatewayTest, HugeHeaderIs431) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  beast::error_code ec;
  const Response res = conn.RoundTrip(
      MakeRequest(http::verb::get, "/healthz", "", "", {{"X-Padding", std::string(8192, 'p')}}),
      &ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 431u);
  EXPECT_EQ(Json(res)["code"], 8);
}

TEST_F(GatewayTest, MalformedRequestIs400AndCloses) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  ASSERT_FALSE(conn.WriteRaw("GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n"));
  Response res;
  ASSERT_FALSE(conn.Read(&res));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(GatewayTest, ExpectContinueGetsAnInterimReply) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  const std::string body = R"({"query":"patience"})";
  ASSERT_FALSE(
      conn.WriteRaw("POST /v1/analyze HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    "Content-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n"));
  Response interim;
  ASSERT_FALSE(conn.Read(&interim));
  EXPECT_EQ(interim.result_int(), 100u);
  ASSERT_FALSE(conn.WriteRaw(body));
  Response res;
  ASSERT_FALSE(conn.Read(&res));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(Json(res)["results"][0], "/a/patience");
}

}  // namespace
}  // namespace archivum::http_testing
