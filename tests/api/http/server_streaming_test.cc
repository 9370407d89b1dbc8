// Streams over HTTP: IngestStream as NDJSON (incremental, errors, disconnects) and Upload's body
// streamed to the core.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/http/gateway_fixture.h"
#include "api/http/wait_bound.h"

namespace archivum::http_testing {
namespace {

using nlohmann::json;

Request StreamRequest(const std::string& path) {
  return MakeRequest(http::verb::post, "/v1/ingest_stream", json{{"path", path}}.dump());
}

TEST_F(GatewayTest, IngestStreamFlushesEachMessageAsItsOwnLine) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  Request req = StreamRequest("/stream/3");
  ASSERT_FALSE(conn.Write(req));
  ASSERT_FALSE(conn.ReadStreamHead());
  const auto& head = conn.stream_parser().get();
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_EQ(head[http::field::content_type], "application/x-ndjson");
  EXPECT_TRUE(conn.stream_parser().chunked());

  // The fake holds the rest of the stream until this line has been read: it must arrive alone.
  auto first = conn.NextLine();
  ASSERT_TRUE(first.has_value());
  const json line = json::parse(*first);
  EXPECT_EQ(line["result"]["path"], "/stream/file0");
  EXPECT_EQ(line["result"]["outcome"], "INGESTED");
  EXPECT_EQ(line["result"]["totals"]["filesSeen"], "1");
  EXPECT_EQ(line["result"]["message"], "");
  fake_.first_read().Open();

  for (int i = 1; i < 3; ++i) {
    auto next = conn.NextLine();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(json::parse(*next)["result"]["path"], "/stream/file" + std::to_string(i));
  }
  EXPECT_EQ(conn.NextLine(), std::nullopt);
  EXPECT_TRUE(conn.stream_parser().is_done());

  // The connection is reusable after the stream.
  beast::error_code ec;
  const Response after = conn.RoundTrip(MakeRequest(http::verb::get, "/healthz"), &ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(after.result_int(), 200u);
}

TEST_F(GatewayTest, IngestStreamFailureEndsWithAnErrorLine) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  Request req = StreamRequest("/stream/fail");
  ASSERT_FALSE(conn.Write(req));
  ASSERT_FALSE(conn.ReadStreamHead());
  EXPECT_EQ(conn.stream_parser().get().result_int(), 200u);
  std::vector<json> lines;
  while (auto l = conn.NextLine()) lines.push_back(json::parse(*l));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].contains("result"));
  EXPECT_TRUE(lines[1].contains("result"));
  EXPECT_EQ(
      lines[2],
      (json{{"error", {{"code", 13}, {"message", "disk on fire"}, {"details", json::array()}}}}));
}

TEST_F(GatewayTest, IngestStreamFailingBeforeAnyMessageIsAPlainError) {
  const Response res = Call(http::verb::post, "/v1/ingest_stream", R"({"path":"status:5"})");
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(Json(res)["code"], 5);
  EXPECT_EQ(Call(http::verb::post, "/v1/ingest_stream", "{", {}).result_int(), 400u);
  EXPECT_EQ(Call(http::verb::post, "/v1/ingest_stream", "x", {}, "text/plain").result_int(), 415u);
}

TEST_F(GatewayTest, Http10StreamIsCloseDelimited) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  const std::string body = R"({"path":"/stream/fail"})";
  ASSERT_FALSE(
      conn.WriteRaw("POST /v1/ingest_stream HTTP/1.0\r\nContent-Type: application/json\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body));
  const std::string raw = conn.ReadUntilClosed();
  const size_t head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << raw;
  const std::string head = raw.substr(0, head_end);
  EXPECT_EQ(head.rfind("HTTP/1.0 200", 0), 0u) << head;
  EXPECT_EQ(head.find("chunked"), std::string::npos) << head;
  const std::string lines = raw.substr(head_end + 4);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3) << lines;
  EXPECT_NE(lines.find(R"({"error":{"code":13,"message":"disk on fire","details":[]}})"),
            std::string::npos)
      << lines;
}

TEST_F(GatewayTest, UnboundStreamingFormWorksToo) {
  const Response res = Call(http::verb::post, "/aichemist_archivum.FileManager/IngestStream",
                            R"({"path":"/stream/fail"})");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_NE(res.body().find("disk on fire"), std::string::npos);
}

TEST_F(GatewayTest, ClientDisconnectStopsTheStream) {
  {
    HttpConnection conn(address_);
    ASSERT_TRUE(conn.ok());
    Request req = StreamRequest("/stream/endless");
    ASSERT_FALSE(conn.Write(req));
    ASSERT_FALSE(conn.ReadStreamHead());
    ASSERT_TRUE(conn.NextLine().has_value());
    conn.Close();
  }
  // The sink returns false once a write fails; the fake records it.
  EXPECT_TRUE(fake_.sink_stopped().WaitFor(kBound));
}

TEST_F(GatewayTest, UploadStreamsTheRawBodyPastTheJsonLimit) {
  const std::string body(1 << 20, 'u');  // 16x max_body_bytes
  const Response res = Call(http::verb::post, "/v1/upload?name=big%20file.bin", body, {},
                            "application/octet-stream");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(Json(res)["bytesIngested"], std::to_string(body.size()));
  const auto up = fake_.last_upload();
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->name, "big file.bin");
  EXPECT_EQ(up->declared_size, body.size());
  EXPECT_EQ(up->bytes, body.size());
  EXPECT_GT(up->data_chunks, 1);  // handed over in pieces, not buffered whole
  EXPECT_FALSE(up->cancelled);
}

TEST_F(GatewayTest, UploadTakesTheNameFromAHeaderAndAChunkedBody) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  Request req = MakeRequest(http::verb::post, "/aichemist_archivum.FileManager/Upload",
                            std::string(200 * 1024, 'c'), "application/octet-stream",
                            {{"X-Archivum-Name", "notes.txt"}});
  req.chunked(true);
  beast::error_code ec;
  const Response res = conn.RoundTrip(std::move(req), &ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  const auto up = fake_.last_upload();
  EXPECT_EQ(up->name, "notes.txt");
  EXPECT_EQ(up->declared_size, 0u);  // unknown for a chunked body
  EXPECT_EQ(up->bytes, 200u * 1024);
  EXPECT_TRUE(res.keep_alive());
  // The connection stays in step after a streamed body.
  EXPECT_EQ(conn.RoundTrip(MakeRequest(http::verb::get, "/readyz"), &ec).result_int(), 200u);
}

TEST_F(GatewayTest, UploadRefusedEarlyIsAnsweredAndTheConnectionClosed) {
  HttpConnection conn(address_);
  ASSERT_TRUE(conn.ok());
  beast::error_code ec;
  // Larger than the pieces the server buffers for the core (4 x 64 KiB), so the body cannot be
  // complete when the core gives up: the rest is unwanted and the connection must close.
  const Response res =
      conn.RoundTrip(MakeRequest(http::verb::post, "/v1/upload?name=reject",
                                 std::string(768 * 1024, 'r'), "application/octet-stream"),
                     &ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 429u);
  EXPECT_EQ(Json(res)["code"], 8);
  EXPECT_FALSE(res.keep_alive());
  conn.ReadUntilClosed();
}

TEST_F(GatewayTest, UploadRejectsMultipart) {
  const Response res =
      Call(http::verb::post, "/v1/upload?name=a", "--b\r\n", {}, "multipart/form-data; boundary=b");
  EXPECT_EQ(res.result_int(), 415u);
  EXPECT_FALSE(fake_.last_upload().has_value());
}

TEST_F(GatewayTest, UploadTruncatedByTheClientIsCancelled) {
  {
    HttpConnection conn(address_);
    ASSERT_TRUE(conn.ok());
    ASSERT_FALSE(
        conn.WriteRaw("POST /v1/upload?name=short HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 1000000\r\n\r\n" +
                      std::string(1000, 's')));
    conn.Close();
  }
  // The core must see a cancelled call, not a complete short document.
  ASSERT_TRUE(fake_.upload_recorded().WaitFor(kBound));
  EXPECT_TRUE(fake_.last_upload()->cancelled);
  EXPECT_EQ(fake_.last_upload()->declared_size, 1000000u);
}

}  // namespace
}  // namespace archivum::http_testing
