// A small blocking HTTP/1.1 client for the gateway's tests, on Beast.
//
// Every operation runs on the connection's own io_context with a generous bound (30 s), so a
// server bug fails the test with a timeout error instead of hanging it. The only waits are
// WaitForServerQueue's polls of the kernel's socket table, each bounded by its timeout.
// Thread safety: one thread uses a connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::http_testing {

namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A request with Host set; `content_type` is set only if not empty, and the payload prepared.
Request MakeRequest(http::verb verb, std::string target, std::string body = {},
                    std::string content_type = "application/json",
                    std::vector<std::pair<std::string, std::string>> headers = {});

class HttpConnection {
 public:
  // Connects to "HOST:PORT"; check ok().
  explicit HttpConnection(const std::string& address);

  bool ok() const { return !error_; }
  beast::error_code error() const { return error_; }

  beast::error_code Write(Request& request);
  beast::error_code WriteRaw(std::string_view bytes);
  // Reads one complete response.
  beast::error_code Read(Response* response);
  // Write + Read.
  Response RoundTrip(Request request, beast::error_code* ec = nullptr);

  // Streaming: reads a response head, then the body line by line as it arrives.
  beast::error_code ReadStreamHead();
  const http::response_parser<http::string_body>& stream_parser() const { return *parser_; }
  // The next '\n'-terminated line (without the '\n'); nullopt at the end of the body or on error.
  std::optional<std::string> NextLine();

  // Reads until the server closes the connection (or resets it); returns the bytes received
  // before that. *ec is the read's final error (eof or connection_reset when the server closed).
  std::string ReadUntilClosed(beast::error_code* ec = nullptr);

  // Closes the socket (both directions).
  void Close();

  // Without blocking: whether the server has closed the connection (nothing left to read but the
  // end of the stream). Bytes still unread count as open.
  bool ClosedByServer();

  // This (loopback IPv4) connection's queues as the kernel sees them, from /proc/net/tcp: bytes
  // the server has not yet read (`unread`: still in flight from this side, or received and not
  // read), and bytes the server has written that this side has not yet acknowledged (`unsent`).
  struct ServerQueues {
    size_t unread = 0;
    size_t unsent = 0;
  };
  // Polls the server's queues until `ready` holds for them or `timeout` passes; returns whether
  // it held. How a test knows that the server has read what was sent (unread == 0), or has more
  // to write than the socket takes (unsent > 0), without guessing a delay.
  bool WaitForServerQueue(bool (*ready)(const ServerQueues&), std::chrono::milliseconds timeout);

 private:
  // Runs the io_context until `done`, with the stream's timeout armed.
  void RunUntil(const bool& done);

  boost::asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  beast::error_code error_;
  std::optional<http::response_parser<http::string_body>> parser_;
  size_t consumed_ = 0;  // bytes of the streamed body already returned by NextLine
};

// One request on a fresh connection.
Response Fetch(const std::string& address, Request request, beast::error_code* ec = nullptr);

}  // namespace archivum::http_testing
