// The byte stream of one gateway connection: plain TCP or TLS over TCP, chosen per server at
// run time, behind one type so that Session's code (and Beast's HTTP algorithms, which take any
// AsyncStream) is the same for both.
//
// Both variants sit directly on the TCP socket: the stream has no timeouts of its own. Session
// bounds its operations with one lazily re-armed deadline timer per connection instead of a
// timer armed and cancelled around every read and write (see Session::ArmDeadline).
//
// Thread safety: like the streams it wraps: one thread at a time (the connection's executor).
// Handlers passed to the async operations must be completion handlers (not other completion
// tokens); they run on the stream's executor.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace archivum::api::gateway {

class GatewayStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using TlsStream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

  // A plain connection.
  explicit GatewayStream(boost::asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}
  // A TLS connection; `context` must outlive the stream. Call async_handshake first.
  GatewayStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context)
      : tls_(std::make_unique<TlsStream>(std::move(socket), context)) {}

  bool tls() const { return tls_ != nullptr; }
  executor_type get_executor() { return socket().get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  // Closes the socket at once, cancelling pending operations (no TLS close_notify: HTTP framing
  // marks the end of every reply).
  void close() {
    boost::system::error_code ignored;
    socket().close(ignored);
  }

  // Server side of the TLS handshake. Precondition: tls().
  template <typename Handler>
  void async_handshake(Handler&& handler) {
    tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
  }

  template <typename MutableBuffers, typename Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <typename ConstBuffers, typename Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

 private:
  std::optional<boost::asio::ip::tcp::socket> plain_;  // exactly one of plain_ and tls_ is set
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace archivum::api::gateway
