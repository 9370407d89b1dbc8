// The byte stream of one gateway connection: plain TCP or TLS over TCP, chosen per server at
// run time, behind one type so that Session's code (and Beast's HTTP algorithms, which take any
// AsyncStream) is the same for both.
//
// Both variants sit on a beast::tcp_stream, whose expires_after() bounds every operation,
// including the TLS handshake and TLS records read or written on behalf of HTTP.
//
// Thread safety: like the streams it wraps: one strand at a time. Handlers passed to the async
// operations must be completion handlers (not other completion tokens); they run on the
// stream's executor.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace archivum::api::gateway {

class GatewayStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // A plain connection.
  explicit GatewayStream(boost::asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}
  // A TLS connection; `context` must outlive the stream. Call async_handshake first.
  GatewayStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context)
      : tls_(std::make_unique<TlsStream>(std::move(socket), context)) {}

  bool tls() const { return tls_ != nullptr; }
  executor_type get_executor() { return tcp().get_executor(); }
  boost::beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  template <typename Duration>
  void expires_after(Duration d) {
    tcp().expires_after(d);
  }
  // Closes the socket at once (no TLS close_notify: HTTP framing marks the end of every reply).
  void close() { tcp().close(); }

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
  std::optional<boost::beast::tcp_stream> plain_;  // exactly one of plain_ and tls_ is set
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace archivum::api::gateway
