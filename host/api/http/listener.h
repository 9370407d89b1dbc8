// Accepts connections for the gateway and turns each into a Session, within max_connections.
// Connections are spread round-robin over the I/O contexts (one per I/O thread): a connection
// lives on one context, whose single thread runs all its handlers in order. Accepted sockets
// get TCP_NODELAY (a reply is one write; nothing is gained by holding back its last segment).
//
// A connection beyond max_connections (or arriving while the server drains) is still accepted,
// so the client learns why instead of hanging in the kernel's backlog: it is answered
// `503 {"code":14,...}` with Connection: close, written without blocking on the fresh socket,
// and closed (on a TLS server it is closed at once: the answer would need a handshake). Accept
// errors (e.g. out of file descriptors) are logged and retried after a short pause rather than
// spinning.
//
// Thread safety: Open from the controlling thread; the accept loop runs on the listener's
// strand; Stop is safe from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>
#include <vector>

#include "api/http/server_state.h"
#include "common/status.h"

namespace archivum::api::gateway {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Resolves and binds `listen` ("host:port", "[v6]:port"; port 0 picks one). The acceptor runs
  // on the first of `contexts`, connections on all of them; each must be run by exactly one
  // thread, and all must outlive the listener. Precondition: `contexts` is not empty.
  // Errors: UNAVAILABLE naming the address and the reason.
  static StatusOr<std::shared_ptr<Listener>> Open(std::vector<boost::asio::io_context*> contexts,
                                                  const std::string& listen,
                                                  std::shared_ptr<ServerState> state);

  unsigned short port() const { return port_; }
  // Starts the accept loop.
  void Start();
  // Closes the acceptor; blocks until it is closed. Safe from any non-I/O thread.
  void Stop();

 private:
  Listener(std::vector<boost::asio::io_context*> contexts, std::shared_ptr<ServerState> state);
  void Accept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  static void Reject(boost::asio::ip::tcp::socket& socket);

  const std::vector<boost::asio::io_context*> contexts_;
  size_t next_context_ = 0;  // used on strand_ only
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;  // used on strand_ only
  boost::asio::steady_timer retry_;          // used on strand_ only
  std::shared_ptr<ServerState> state_;
  unsigned short port_ = 0;
};

}  // namespace archivum::api::gateway
