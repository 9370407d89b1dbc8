// How a connection reads and writes: heads and bodies arriving in pieces, many pipelined
// requests, replies larger than the socket takes at once, the connection's reuse of its messages
// between calls run on the I/O thread, and the deadlines (re-armed while requests keep coming,
// never applied to a call or stream that is waiting for the core). Nothing here sleeps: a test
// that needs the server to have read a piece, or to have more to write than the socket takes,
// waits for that in the kernel's socket table; one that needs an idle timeout to have passed
// waits for the server to close an idle connection opened for the purpose (IdleTimeoutPassed).
#include <gtest/gtest.h>

#include "api/http/gateway_fixture.h"
#include "api/http/wait_bound.h"

namespace archivum::http_testing {
namespace {

using nlohmann::json;

bool AllRead(const HttpConnection::ServerQueues& q) {
  return q.unread == 0;
}
bool WriteBackedUp(const HttpConnection::ServerQueues& q) {
  return q.unsent > 0;
}

// A connection that has answered one request and is now idle: the server closes it one idle
// timeout later (a connection that never sent a request has the header timeout instead).
void OpenIdleConnection(HttpConnection* idle) {
  ASSERT_TRUE(idle->ok());
  beast::error_code ec;
  ASSERT_EQ(idle->RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec).result_int(), 200u);
  ASSERT_FALSE(ec) << ec.message();
}

// Returns once the server has closed an idle connection opened now: by then at least one idle
// timeout has passed for every connection whose last I/O came before this call.
void IdleTimeoutPassed(const std::string& address) {
  HttpConnection idle(address);
  ASSERT_NO_FATAL_FAILURE(OpenIdleConnection(&idle));
  beast::error_code ec;
  EXPECT_EQ(idle.ReadUntilClosed(&ec), "");
  EXPECT_TRUE(ec == beast::error_code(boost::asio::error::eof) ||
              ec == beast::error_code(boost::asio::error::connection_reset))
      << ec.message();
}

std::string RawPost(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_F(GatewayTest, HeadAndBodyArrivingInPiecesAreReadWhole) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  const std::string request = RawPost("/analyze", R"({"query":"pieces","limit":3})");
  // Cut inside the request line, inside a header, at the end of the head and inside the body.
  const size_t cuts[] = {4, 30, request.find("\r\n\r\n") + 4, request.size() - 5};
  size_t from = 0;
  for (size_t cut : cuts) {
    ASSERT_FALSE(conn.WriteRaw(std::string_view(request).substr(from, cut - from)));
    from = cut;
    // The server has read this piece before the next one is sent.
    ASSERT_TRUE(conn.WaitForServerQueue(AllRead, kBound));
  }
  ASSERT_FALSE(conn.WriteRaw(std::string_view(request).substr(from)));
  Response res;
  ASSERT_FALSE(conn.Read(&res));
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(Json(res)["results"][0], "/a/pieces");
  EXPECT_EQ(Json(res)["total"], "3");
}

TEST_F(GatewayTest, ManyPipelinedRequestsAreAllAnsweredInOrder) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  constexpr int kRequests = 600;
  std::string all;
  for (int i = 0; i < kRequests; ++i) {
    // Calls that run on the I/O thread, on a worker, and built-in routes, interleaved.
    switch (i % 3) {
      case 0:
        all += RawPost("/analyze", json{{"query", "short:" + std::to_string(i)}}.dump());
        break;
      case 1: all += RawPost("/analyze", json{{"query", std::to_string(i)}}.dump()); break;
      default: all += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"; break;
    }
  }
  ASSERT_FALSE(conn.WriteRaw(all));
  for (int i = 0; i < kRequests; ++i) {
    Response res;
    ASSERT_FALSE(conn.Read(&res)) << "reply " << i;
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    switch (i % 3) {
      case 0: EXPECT_EQ(Json(res)["results"][0], "/a/short:" + std::to_string(i)); break;
      case 1: EXPECT_EQ(Json(res)["results"][0], "/a/" + std::to_string(i)); break;
      default: EXPECT_EQ(Json(res)["status"], "SERVING"); break;
    }
  }
}

TEST_F(GatewayTest, ReplyLargerThanTheSocketTakesArrivesWhole) {
  config::HttpServer config = DefaultConfig();
  config.max_body_bytes = 8u << 20;
  StartServer(config);
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  // The reply repeats the query four times: ~8 MB, far more than the socket buffers hold, so
  // most of it is written after the client starts reading.
  for (const char* prefix : {"short:", ""}) {
    const std::string query = prefix + std::string(2u << 20, 'q');
    ASSERT_FALSE(conn.WriteRaw(RawPost("/analyze", json{{"query", query}}.dump())));
    // Read only once the server has filled the socket and still has more to write.
    ASSERT_TRUE(conn.WaitForServerQueue(WriteBackedUp, kBound));
    Response res;
    ASSERT_FALSE(conn.Read(&res));
    ASSERT_EQ(res.result_int(), 200u);
    const json body = Json(res);
    ASSERT_EQ(body["results"].size(), 2u);
    EXPECT_EQ(body["results"][0], "/a/" + query);
    EXPECT_EQ(body["hits"][1]["path"], "/b/" + query);
  }
  // The connection is still in step.
  beast::error_code ec;
  EXPECT_EQ(Json(conn.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec))["status"],
            "SERVING");
  EXPECT_FALSE(ec);
}

TEST_F(GatewayTest, CallsOnTheIoThreadStartFromEmptyMessages) {
  // One connection reuses its request and response messages between calls run on the I/O
  // thread; each reply must be what a fresh connection gets for the same request.
  const std::vector<std::string> bodies = {R"({"query":"short:first","limit":7})",
                                           R"({"query":"short:empty"})",
                                           R"({"query":"short:second"})",
                                           R"({"query":"on-a-worker","limit":2})",
                                           R"({"query":"short:third"})",
                                           R"({"query":"status:5"})",
                                           R"({"query":"short:last"})"};
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  for (const std::string& body : bodies) {
    beast::error_code ec;
    const Response reused = conn.RoundTrip(MakeRequest(http::verb::post, "/analyze", body), &ec);
    ASSERT_FALSE(ec) << ec.message();
    const Response fresh = Call(http::verb::post, "/analyze", body);
    EXPECT_EQ(reused.result_int(), fresh.result_int()) << body;
    EXPECT_EQ(reused.body(), fresh.body()) << body;
  }
  // The empty reply really is empty, and the limit of an earlier request did not stick.
  EXPECT_EQ(Call(http::verb::post, "/analyze", R"({"query":"short:empty"})").body(),
            R"({"results":[],"hits":[],"total":"0","facets":[]})");
  for (const char* path : {"/one", "/two"}) {
    beast::error_code ec;
    const Response doc = conn.RoundTrip(
        MakeRequest(http::verb::get, std::string("/v1/documents?path=") + path), &ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(Json(doc)["path"], path);
  }
}

TEST_F(GatewayTest, StalledBodyIsClosedAfterTheIdleTimeout) {
  config::HttpServer config = DefaultConfig();
  config.idle_timeout = std::chrono::milliseconds(300);
  StartServer(config);
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  ASSERT_FALSE(
      conn.WriteRaw("POST /analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 100\r\n\r\n{\"query\":"));
  EXPECT_EQ(conn.ReadUntilClosed(), "");  // closed without an answer
}

TEST_F(GatewayTest, RequestsKeepAConnectionOpenPastTheIdleTimeout) {
  config::HttpServer config = DefaultConfig();
  config.idle_timeout = std::chrono::milliseconds(300);
  StartServer(config);
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  // Requests back to back until the server closes a connection opened next to this one and left
  // idle: this one has then been open longer than the idle timeout, and never idle for as long.
  HttpConnection idle(address_);
  ASSERT_NO_FATAL_FAILURE(OpenIdleConnection(&idle));
  int served = 0;
  for (const auto bound = std::chrono::steady_clock::now() + kBound; !idle.ClosedByServer();) {
    ASSERT_LT(std::chrono::steady_clock::now(), bound) << "the idle connection was never closed";
    beast::error_code ec;
    const Response res = conn.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec);
    ASSERT_FALSE(ec) << "after " << served << " requests: " << ec.message();
    ASSERT_EQ(res.result_int(), 200u);
    ++served;
  }
  beast::error_code ec;
  EXPECT_EQ(conn.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec).result_int(), 200u);
  EXPECT_FALSE(ec) << ec.message();
  // Once the requests stop, the idle timeout closes it.
  EXPECT_EQ(conn.ReadUntilClosed(), "");
}

TEST_F(GatewayTest, StreamWaitingForTheCoreOutlastsTheIdleTimeout) {
  config::HttpServer config = DefaultConfig();
  config.idle_timeout = std::chrono::milliseconds(200);
  StartServer(config);
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  Request req = MakeRequest(http::verb::post, "/v1/ingest_stream", R"({"path":"/stream/3"})");
  ASSERT_FALSE(conn.Write(req));
  ASSERT_FALSE(conn.ReadStreamHead());
  ASSERT_TRUE(conn.NextLine().has_value());
  // The core holds the stream (no I/O pending on the connection) past two idle timeouts.
  ASSERT_NO_FATAL_FAILURE(IdleTimeoutPassed(address_));
  ASSERT_NO_FATAL_FAILURE(IdleTimeoutPassed(address_));
  fake_.first_read().Open();
  EXPECT_TRUE(conn.NextLine().has_value());
  EXPECT_TRUE(conn.NextLine().has_value());
  EXPECT_EQ(conn.NextLine(), std::nullopt);
  EXPECT_TRUE(conn.stream_parser().is_done());
}

}  // namespace
}  // namespace archivum::http_testing
