#include "api/http/listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <future>

#include "api/http/json_mapping.h"
#include "api/http/session.h"

namespace archivum::api::gateway {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

StatusOr<tcp::endpoint> Resolve(net::io_context& ioc, const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    return Unavailable("HTTP listen address '" + listen + "' has no port");
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return Unavailable("cannot resolve HTTP listen address '" + listen + "': " + ec.message());
  }
  return results.begin()->endpoint();
}

}  // namespace

Listener::Listener(std::vector<net::io_context*> contexts, std::shared_ptr<ServerState> state)
    : contexts_(std::move(contexts)),
      strand_(net::make_strand(*contexts_.front())),
      acceptor_(strand_),
      retry_(strand_),
      state_(std::move(state)) {}

StatusOr<std::shared_ptr<Listener>> Listener::Open(std::vector<net::io_context*> contexts,
                                                   const std::string& listen,
                                                   std::shared_ptr<ServerState> state) {
  auto endpoint = Resolve(*contexts.front(), listen);
  if (!endpoint.ok()) return endpoint.status();
  std::shared_ptr<Listener> l(new Listener(std::move(contexts), std::move(state)));
  boost::system::error_code ec;
  const auto fail = [&](const char* what) {
    return Unavailable("cannot listen for HTTP on " + listen + ": " + what + ": " + ec.message());
  };
  if (l->acceptor_.open(endpoint->protocol(), ec)) return fail("open");
  if (l->acceptor_.set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (l->acceptor_.bind(*endpoint, ec)) return fail("bind");
  if (l->acceptor_.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  l->port_ = l->acceptor_.local_endpoint(ec).port();
  if (ec) return fail("getsockname");
  return l;
}

void Listener::Start() {
  net::post(strand_, [self = shared_from_this()] { self->Accept(); });
}

void Listener::Stop() {
  std::promise<void> closed;
  net::post(strand_, [self = shared_from_this(), &closed] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
}

void Listener::Accept() {
  if (!acceptor_.is_open()) return;
  // A context is run by one thread, so a connection's handlers never run concurrently.
  net::io_context& context = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  acceptor_.async_accept(
      context.get_executor(),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    spdlog::warn("HTTP accept failed: {}; retrying", ec.message());
    retry_.expires_after(kAcceptRetryDelay);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->Accept();
    });
    return;
  }
  try {
    boost::system::error_code nodelay_ec;  // a socket without it still works
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    if (auto slot = state_->TryAdmit()) {
      std::make_shared<Session>(state_, *slot, std::move(socket))->Start();
    } else if (state_->tls) {
      // A plain-text 503 means nothing to a TLS client, and a handshake here could block.
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      Reject(socket);
    }
  } catch (const std::exception& e) {
    spdlog::error("HTTP: cannot start a connection: {}", e.what());
  }
  Accept();
}

void Listener::Reject(tcp::socket& socket) {
  http::response<http::string_body> res{http::status::service_unavailable, 11};
  res.set(http::field::server, "archivum");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(false);
  res.body() = ErrorJson(Unavailable("too many connections; try again later"));
  res.prepare_payload();
  boost::system::error_code ec;
  // A fresh socket's send buffer takes a few hundred bytes at once; never wait for a client.
  socket.non_blocking(true, ec);
  http::write(socket, res, ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  // Discard what already arrived, so the close does not turn into a reset that hides the answer.
  char scratch[4096];
  while (socket.read_some(net::buffer(scratch), ec) > 0 && !ec) {
  }
  socket.close(ec);
}

}  // namespace archivum::api::gateway
