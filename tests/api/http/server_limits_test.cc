// Connection limits and timeouts: slow heads, idle keep-alive, max_connections, and shutdown
// cancelling calls past its deadline. Waiting for the server to close a socket is a blocking
// read returning EOF, never a sleep.
#include <gtest/gtest.h>

#include <thread>

#include "api/http/gateway_fixture.h"

namespace archivum::http_testing {
namespace {

using nlohmann::json;

TEST_F(GatewayTest, SlowHeaderClientIsClosedWhileOthersAreServed) {
  config::HttpServer config = DefaultConfig();
  config.header_timeout = std::chrono::milliseconds(1000);
  StartServer(config);

  HttpConnection slow(address_);
  ASSERT_TRUE(slow.ok());
  ASSERT_FALSE(slow.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Trickle: a"));

  // Another connection is served while the slow one holds its slot.
  EXPECT_EQ(Call(http::verb::get, "/healthz").result_int(), 200u);

  beast::error_code ec;
  const std::string received = slow.ReadUntilClosed(&ec);
  EXPECT_EQ(received, "");  // closed without an answer
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
      << ec.message();
}

TEST_F(GatewayTest, SilentNewConnectionIsClosedAfterTheHeaderTimeout) {
  config::HttpServer config = DefaultConfig();
  config.header_timeout = std::chrono::milliseconds(300);
  StartServer(config);
  HttpConnection silent(address_);
  ASSERT_TRUE(silent.ok());
  EXPECT_EQ(silent.ReadUntilClosed(), "");
}

TEST_F(GatewayTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  config::HttpServer config = DefaultConfig();
  config.idle_timeout = std::chrono::milliseconds(300);
  StartServer(config);
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  beast::error_code ec;
  const Response res = conn.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec);
  ASSERT_FALSE(ec);
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(conn.ReadUntilClosed(), "");
}

TEST_F(GatewayTest, MaxConnectionsIsEnforced) {
  config::HttpServer config = DefaultConfig();
  config.max_connections = 2;
  StartServer(config);

  // Two connections that have been served are certainly admitted.
  auto a = std::make_unique<HttpConnection>(address_);
  HttpConnection b(address_);
  beast::error_code ec;
  ASSERT_EQ(a->RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec).result_int(), 200u);
  ASSERT_EQ(b.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec).result_int(), 200u);

  // A third is told why and closed.
  HttpConnection c(address_);
  ASSERT_TRUE(c.ok());
  Response refused;
  ASSERT_FALSE(c.Read(&refused));
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_EQ(Json(refused)["code"], 14);
  EXPECT_FALSE(refused.keep_alive());
  c.ReadUntilClosed();

  // Freeing a slot admits a new connection once the server has seen the close. The close is
  // asynchronous on the server, so retry a bounded number of times (each attempt is refused
  // at once while the slot is still taken).
  a->Close();
  a.reset();
  unsigned status = 0;
  for (int attempt = 0; attempt < 10000 && status != 200; ++attempt) {
    HttpConnection d(address_);
    status = d.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec).result_int();
  }
  EXPECT_EQ(status, 200u);
}

TEST_F(GatewayTest, ShutdownCancelsCallsPastTheDeadlineAndClosesConnections) {
  HttpConnection idle(address_);
  ASSERT_TRUE(idle.ok());
  beast::error_code ec;
  ASSERT_EQ(idle.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec).result_int(), 200u);

  HttpConnection busy(address_);
  ASSERT_TRUE(busy.ok());
  Request hang = MakeRequest(http::verb::post, "/v1/analyze", R"({"query":"hang"})");
  ASSERT_FALSE(busy.Write(hang));
  ASSERT_TRUE(fake_.hang_started().WaitFor(std::chrono::seconds(30)));

  server_->Shutdown(std::chrono::milliseconds(0));  // blocks until the call has returned
  EXPECT_TRUE(fake_.hang_cancelled().is_open());
  EXPECT_EQ(idle.ReadUntilClosed(), "");
  EXPECT_EQ(busy.ReadUntilClosed(), "");
}

TEST_F(GatewayTest, ShutdownLetsInFlightStreamsFinishWithinTheDeadline) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  Request req = MakeRequest(http::verb::post, "/v1/ingest_stream", R"({"path":"/stream/2"})");
  ASSERT_FALSE(conn.Write(req));
  ASSERT_FALSE(conn.ReadStreamHead());
  ASSERT_TRUE(conn.NextLine().has_value());

  std::thread shutdown([this] { server_->Shutdown(std::chrono::seconds(30)); });
  // The stream in flight completes, then its connection closes.
  fake_.first_read().Open();
  ASSERT_TRUE(conn.NextLine().has_value());
  EXPECT_EQ(conn.NextLine(), std::nullopt);
  EXPECT_TRUE(conn.stream_parser().is_done());
  shutdown.join();
  EXPECT_EQ(conn.ReadUntilClosed(), "");
}

TEST_F(GatewayTest, StartFailsOnAnAddressInUse) {
  config::HttpServer config = DefaultConfig();
  config.listen = address_;
  auto second = api::HttpServer::Start(config, &fake_, {}, 1);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(address_), std::string::npos);
}

}  // namespace
}  // namespace archivum::http_testing
