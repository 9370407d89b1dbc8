// One HTTP/1.1 connection: reads requests one at a time (so pipelined requests are answered in
// order), routes them, runs calls (short ones right here, others on the worker pool) and writes
// the replies; keep-alive until the client, a timeout, an error or shutdown ends it.
//
// Per request: the head is parsed with the header parser (header_limit → 431) from what is
// already buffered, reading only when more is needed; the route decides how the body is read:
// Upload streams it piecewise into an UploadBridge, every other route reads it whole under
// max_body_bytes (413) before routing further, so the connection stays in step for keep-alive.
// A reply sent before the body was consumed closes the connection, after draining a bounded
// amount of the unread input so the client still sees the reply (lingering close). A unary
// reply is written as one head-and-body write (response_head.h), tried at once without waiting
// on a plain connection (the socket is non-blocking), and only handed to the reactor for what
// the socket did not take.
//
// Security: on a TLS server the connection starts with the TLS handshake, which must complete
// within header_timeout (a client that fails it, e.g. without the certificate mutual TLS asks
// for, is closed). Every request is checked against the access policy as soon as its head is
// read, before any body byte is read or any route runs: a refused one gets 401 UNAUTHENTICATED
// with `WWW-Authenticate: Bearer ...` (and the connection closes if a body was announced).
//
// Timeouts: the first request head must arrive within header_timeout of the accept; later,
// idle_timeout until the first byte of the next head, then header_timeout for the rest of it;
// body reads and writes must make progress within idle_timeout. A timeout closes the
// connection. Unary calls run without a transport timeout; a Grpc-Timeout header sets their
// deadline. Implementation: ArmDeadline records an absolute deadline before an operation that
// has to wait; one timer per connection fires at the earliest deadline recorded since it was
// armed, and re-arms itself if the deadline has moved later since, so a steady stream of
// requests costs a clock read per wait, not a timer armed and cancelled per operation. A
// deadline only closes the connection while one of its I/O operations is pending (a call
// running on a worker or a stream waiting for its next message is never timed out).
//
// Thread safety: every member is touched only on the connection's executor, whose handlers never
// run concurrently (the socket's executor: a single-threaded io_context, or a strand), except
// Drain and Abort, which post to it, and what the shared queue/bridge objects guard themselves.
// The connection is owned by shared_ptr: its pending operations and calls in flight keep it
// alive (the deadline timer does not). Exceptions never leave a handler: they close the
// connection.
#pragma once

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/http/gateway_stream.h"
#include "api/http/ndjson_stream.h"
#include "api/http/router.h"
#include "api/http/rpc_call.h"
#include "api/http/server_state.h"
#include "api/http/upload_bridge.h"
#include "common/call_context.h"

namespace archivum::api::gateway {

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `slot` is the connection's admitted registry slot; `socket`'s executor must never run two
  // handlers at once (an io_context run by one thread, or a strand).
  Session(std::shared_ptr<ServerState> state, uint64_t slot, boost::asio::ip::tcp::socket socket);

  // Registers with the server and starts reading. Call once, right after construction.
  void Start();
  // Shutdown, phase 1: finish the current request (its reply says Connection: close), then
  // close; an idle connection closes at once. Safe from any thread.
  void Drain();
  // Shutdown, phase 2: cancel the call in flight and close now. Safe from any thread.
  void Abort();

 private:
  using HeaderParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  using BodyParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  using UploadParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  // Wraps a member function as the completion handler of one I/O operation (counted as pending
  // until it runs): it holds the connection alive and closes it if the function throws. Call
  // only to pass the result to an operation that is started at once.
  template <typename... Args>
  auto Handler(void (Session::*method)(Args...));
  template <typename Fn>
  void Safely(Fn&& fn) noexcept;
  // Runs `fn` on the strand, holding the connection alive; safe from any thread.
  template <typename Fn>
  void PostToStrand(Fn&& fn);

  // Request cycle (session.cc).
  void Handshake();
  void OnHandshake(boost::beast::error_code ec);
  void ReadRequest();
  // Parses the head from buffer_, reading more while it is incomplete.
  void ParseHeader();
  void OnHeaderBytes(boost::beast::error_code ec, size_t n);
  void OnHeader(boost::beast::error_code ec);
  void WriteContinue(void (Session::*next)());
  void OnContinueWritten(boost::beast::error_code ec, size_t n);
  // Parses the body from buffer_, reading more while it is incomplete.
  void ReadBody();
  void OnBodyBytes(boost::beast::error_code ec, size_t n);
  void OnBody(boost::beast::error_code ec);
  // Reads what the socket has into buffer_'s prepared space (committing nothing), then `next`.
  void ReadSome(void (Session::*next)(boost::beast::error_code, size_t));
  void Dispatch();
  void StartUnary(HttpCallInput input, CallContext ctx);
  // Answers a request for asset_ (session_assets.cc).
  void ServeAsset();
  // GET /metrics: the scrape runs on the worker pool (it reads the catalog).
  void ServeMetrics();
  // Records the current RPC request's duration with `code` in its metrics series, once; later
  // calls for the same request do nothing.
  void RecordRpc(StatusCode code);
  // Writes `reply`; closes afterwards if `close` or the request/server says so.
  void SendReply(JsonReply reply, bool close = false, std::string_view allow = {});
  // Writes reply_head_ and reply_body_: at once if the socket takes them, else asynchronously.
  void WriteReply();
  void OnReplyWritten(boost::beast::error_code ec, size_t n);
  // reply_body_'s capacity for the next reply's body (empty); call when no write is in flight.
  std::string TakeReplyBuffer();
  // Answers a request whose body was not (fully) read, then closes.
  void Refuse(unsigned http_status, Status status);
  // Checks the request head against the access policy; false once it has answered 401.
  bool Admit();
  void FinishRequest();
  void LingeringClose();
  void OnDrainRead(boost::beast::error_code ec, size_t n);
  void Close();
  void OnDrain();
  // Bounds the operations from now on (see the timeouts above) to `timeout` from now.
  void ArmDeadline(std::chrono::steady_clock::duration timeout);
  void StartTimer(std::chrono::steady_clock::time_point at);
  void OnDeadline();
  std::function<bool()> CancelledFn() const;
  bool ExpectsContinue(const boost::beast::http::fields& headers) const;

  // Server streaming as NDJSON, or as a download for a media route (session_streaming.cc).
  void StartStream(HttpCallInput input, CallContext ctx);
  void PumpStream();
  void WriteStreamHead();
  // GET /v1/content (a media route on a server stream): the first item is the ContentHeader,
  // written as a download's head; the rest are raw bytes framed by Content-Length.
  void WriteDownloadHead(const std::string& serialized_header);
  void EndDownload(const Status& final);
  void OnStreamHeadWritten(boost::beast::error_code ec, size_t n);
  void WriteStreamBytes();
  void OnStreamBytesWritten(boost::beast::error_code ec, size_t n);
  void OnStreamEndWritten(boost::beast::error_code ec, size_t n);

  // Upload from the raw body (session_streaming.cc).
  void StartUpload();
  void RunUpload();
  void ReadUploadPiece();
  void OnUploadRead(boost::beast::error_code ec, size_t n);
  void ResumeUpload();
  void OnUploadDone(JsonReply reply);

  // First: released last, after the socket and timers are destroyed (see ServerState::Slot).
  ServerState::Slot slot_;
  const std::shared_ptr<ServerState> state_;
  const GatewayStream::executor_type strand_;
  // The TLS context stream_ was made with (null for plain HTTP): kept for the connection's life,
  // whatever a reload puts in force for later connections (ServerState::CurrentTls).
  const std::shared_ptr<boost::asio::ssl::context> tls_context_;
  GatewayStream stream_;
  boost::beast::flat_buffer buffer_;

  // Timeouts (ArmDeadline).
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  // When the timer's pending wait fires; max() when none is pending.
  std::chrono::steady_clock::time_point timer_at_ = std::chrono::steady_clock::time_point::max();
  unsigned io_pending_ = 0;  // I/O operations started and not completed (Handler)

  // Connection state.
  bool first_request_ = true;
  bool idle_ = false;      // waiting for a request head: Drain closes at once
  bool in_head_ = false;   // the head's header_timeout is armed
  bool draining_ = false;  // Drain was called
  bool closed_ = false;
  // The call in flight sees this through CallContext::cancelled: set when the connection is
  // closed before the call ends (client gone, malformed upload, Abort).
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);

  // The current request.
  std::optional<HeaderParser> header_parser_;
  std::optional<BodyParser> body_parser_;
  std::optional<UploadParser> upload_parser_;
  Route route_;
  // The embedded file the request names (static_assets.h), when no API route answers GET/HEAD
  // on its path; such requests need no token.
  const StaticFile* asset_ = nullptr;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string path_;
  std::string query_;
  bool unread_input_ = false;       // the request body was not (fully) consumed
  bool close_after_write_ = false;  // the reply being written ends the connection
  std::string challenge_;           // WWW-Authenticate of the reply, if any
  // The RPC request being answered, for the metrics: its series (null once recorded, or without
  // metrics) and when its head was read or, once read whole, its call dispatched.
  metrics::RpcSeries* rpc_series_ = nullptr;
  std::chrono::steady_clock::time_point rpc_started_;
  bool pending_linger_ = false;  // linger once the cancelled upload read completes
  std::string reply_head_;       // the reply being written (capacity reused between requests)
  std::string reply_body_;
  // When set, the reply's body instead of reply_body_: bytes that outlive the connection (an
  // embedded asset), written without a copy.
  std::optional<std::string_view> reply_static_;
  PreparedUnary unary_;  // the last inline call's messages, reused by the next one
  boost::beast::http::response<boost::beast::http::empty_body> interim_;  // 100 Continue
  void (Session::*after_continue_)() = nullptr;
  std::string drain_scratch_;
  uint64_t drained_ = 0;

  // NDJSON stream state.
  std::shared_ptr<NdjsonQueue> ndjson_;
  boost::beast::http::response<boost::beast::http::empty_body> stream_head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      stream_serializer_;
  bool stream_started_ = false;  // the 200 head is written or being written
  bool stream_writing_ = false;  // a head or line write is in flight
  bool stream_chunked_ = true;   // HTTP/1.1; HTTP/1.0 gets a close-delimited body
  bool stream_ending_ = false;   // the final error line / last chunk is queued
  std::string stream_line_;      // the line being written
  bool stream_raw_ = false;      // a download: raw bytes, not NDJSON (WriteDownloadHead)
  uint64_t download_left_ = 0;   // bytes of the announced Content-Length not yet queued

  // Upload state.
  std::shared_ptr<UploadBridge> upload_;
  const std::function<Status(core::UploadReader&, const CallContext&, google::protobuf::Message*)>*
      upload_invoker_ = nullptr;
  CallContext upload_ctx_;
  std::string piece_;  // the body piece being filled; capacity kUploadPiece
  size_t piece_used_ = 0;
  bool upload_reading_ = false;
  bool upload_paused_ = false;     // the bridge is full; ResumeUpload restarts reading
  bool upload_call_done_ = false;  // the core returned; further body bytes are not wanted
};

// Template members, used by session.cc and session_streaming.cc.

template <typename... Args>
auto Session::Handler(void (Session::*method)(Args...)) {
  ++io_pending_;
  return [self = shared_from_this(), method](Args... args) {
    --self->io_pending_;
    self->Safely([&] { ((*self).*method)(args...); });
  };
}

template <typename Fn>
void Session::Safely(Fn&& fn) noexcept {
  try {
    fn();
    return;
  } catch (const std::exception& e) {
    spdlog::error("HTTP connection failed: {}", e.what());
  } catch (...) {
    spdlog::error("HTTP connection failed with a non-standard exception");
  }
  try {
    Close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done for this connection
  }
}

template <typename Fn>
void Session::PostToStrand(Fn&& fn) {
  boost::asio::post(strand_, [self = shared_from_this(), fn = std::forward<Fn>(fn)]() mutable {
    self->Safely(fn);
  });
}

}  // namespace archivum::api::gateway
