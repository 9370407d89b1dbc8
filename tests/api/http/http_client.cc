#include "api/http/http_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/http/wait_bound.h"

namespace archivum::http_testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

Request MakeRequest(http::verb verb, std::string target, std::string body, std::string content_type,
                    std::vector<std::pair<std::string, std::string>> headers) {
  Request req{verb, target, 11};
  req.set(http::field::host, "localhost");
  if (!content_type.empty() && !body.empty()) req.set(http::field::content_type, content_type);
  for (auto& [name, value] : headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

HttpConnection::HttpConnection(const std::string& address) {
  const size_t colon = address.rfind(':');
  tcp::resolver resolver(ioc_);
  const auto endpoints =
      resolver.resolve(address.substr(0, colon), address.substr(colon + 1), error_);
  if (error_) return;
  stream_.socket().connect(*endpoints.begin(), error_);
}

void HttpConnection::RunUntil(const bool& done) {
  ioc_.restart();
  while (!done && ioc_.run_one() > 0) {
  }
}

beast::error_code HttpConnection::Write(Request& request) {
  beast::error_code result;
  bool done = false;
  stream_.expires_after(kBound);
  http::async_write(stream_, request, [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  RunUntil(done);
  return result;
}

beast::error_code HttpConnection::WriteRaw(std::string_view bytes) {
  beast::error_code result;
  bool done = false;
  stream_.expires_after(kBound);
  net::async_write(stream_, net::buffer(bytes.data(), bytes.size()),
                   [&](beast::error_code ec, size_t) {
                     result = ec;
                     done = true;
                   });
  RunUntil(done);
  return result;
}

beast::error_code HttpConnection::Read(Response* response) {
  beast::error_code result;
  bool done = false;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  stream_.expires_after(kBound);
  http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  RunUntil(done);
  if (!result) *response = parser.release();
  return result;
}

Response HttpConnection::RoundTrip(Request request, beast::error_code* ec) {
  Response response;
  beast::error_code result = Write(request);
  if (!result) result = Read(&response);
  if (ec != nullptr) *ec = result;
  return response;
}

beast::error_code HttpConnection::ReadStreamHead() {
  parser_.emplace();
  parser_->body_limit(64u << 20);
  consumed_ = 0;
  beast::error_code result;
  bool done = false;
  stream_.expires_after(kBound);
  http::async_read_header(stream_, buffer_, *parser_, [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  RunUntil(done);
  return result;
}

std::optional<std::string> HttpConnection::NextLine() {
  while (true) {
    const std::string& body = parser_->get().body();
    const size_t nl = body.find('\n', consumed_);
    if (nl != std::string::npos) {
      std::string line = body.substr(consumed_, nl - consumed_);
      consumed_ = nl + 1;
      return line;
    }
    if (parser_->is_done()) return std::nullopt;
    beast::error_code result;
    bool done = false;
    stream_.expires_after(kBound);
    http::async_read_some(stream_, buffer_, *parser_, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    RunUntil(done);
    if (result) return std::nullopt;
  }
}

std::string HttpConnection::ReadUntilClosed(beast::error_code* ec) {
  std::string received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  char scratch[4096];
  beast::error_code result;
  while (!result) {
    bool done = false;
    size_t n = 0;
    stream_.expires_after(kBound);
    stream_.async_read_some(net::buffer(scratch), [&](beast::error_code e, size_t got) {
      result = e;
      n = got;
      done = true;
    });
    RunUntil(done);
    received.append(scratch, n);
  }
  if (ec != nullptr) *ec = result;
  return received;
}

void HttpConnection::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

Response Fetch(const std::string& address, Request request, beast::error_code* ec) {
  HttpConnection c(address);
  if (!c.ok()) {
    if (ec != nullptr) *ec = c.error();
    return {};
  }
  return c.RoundTrip(std::move(request), ec);
}

bool HttpConnection::ClosedByServer() {
  if (buffer_.size() > 0) return false;
  char byte = 0;
  const ssize_t n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

namespace {

struct SocketQueues {
  size_t tx = 0;  // written, not yet acknowledged by the peer
  size_t rx = 0;  // received, not yet read
};

// The queues of the socket with local port `local` and remote port `remote` in /proc/net/tcp
// ("sl local_address rem_address st tx_queue:rx_queue ...", addresses "HEXIP:HEXPORT").
std::optional<SocketQueues> QueuesOf(unsigned local, unsigned remote) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // header
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state, queues;
    if (!(fields >> slot >> local_address >> remote_address >> state >> queues)) continue;
    const auto port = [](const std::string& address) {
      return std::stoul(address.substr(address.find(':') + 1), nullptr, 16);
    };
    if (port(local_address) != local || port(remote_address) != remote) continue;
    const size_t colon = queues.find(':');
    SocketQueues q;
    q.tx = std::stoul(queues.substr(0, colon), nullptr, 16);
    q.rx = std::stoul(queues.substr(colon + 1), nullptr, 16);
    return q;
  }
  return std::nullopt;
}

}  // namespace

bool HttpConnection::WaitForServerQueue(bool (*ready)(const ServerQueues&),
                                        std::chrono::milliseconds timeout) {
  beast::error_code ec;
  const auto mine = stream_.socket().local_endpoint(ec);
  if (ec) return false;
  const auto server = stream_.socket().remote_endpoint(ec);
  if (ec) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto server_side = QueuesOf(server.port(), mine.port());
    const auto client_side = QueuesOf(mine.port(), server.port());
    if (server_side && client_side) {
      // Bytes this side sent that the server's socket has not acknowledged are unread too.
      const ServerQueues q{server_side->rx + client_side->tx, server_side->tx};
      if (ready(q)) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace archivum::http_testing
