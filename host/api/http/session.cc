#include "api/http/session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <limits>
#include <utility>

#include "api/http/call_metadata.h"
#include "api/http/response_head.h"

namespace archivum::api::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Each read asks for at least kReadBytes and at most kMaxReadBytes (what the buffer has room for).
constexpr size_t kReadBytes = 8192;
constexpr size_t kMaxReadBytes = 65536;
constexpr size_t kLingerReadBytes = 16384;
// Unread input drained before closing after an early reply; past this the client gets a reset.
constexpr uint64_t kMaxLingerBytes = 1u << 20;
constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();
// Unary requests up to this size (body, query string) are decoded on the I/O thread, to see
// whether the call is short enough to run there too; larger ones are decoded on a worker.
constexpr size_t kInlineBuildBytes = 16384;
// A connection keeps the reply buffer and messages of its last call for the next one, unless the
// reply was larger than this.
constexpr size_t kMaxKeptReplyBytes = 65536;

uint32_t HeaderLimit(uint64_t configured) {
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(configured > kMax ? kMax : configured);
}

// The connection itself failed (peer gone, timeout, our own close), as opposed to the peer
// sending something malformed.
bool IsConnectionError(beast::error_code ec) {
  if (!ec) return false;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return true;
  return ec.category() != http::make_error_code(http::error::bad_target).category();
}

// What a read that failed with `ec` means for `parser`, as Beast's read algorithms report it:
// the end of input is end_of_stream before any byte of a message, else whatever the parser
// makes of it (partial_message for a request cut short).
template <typename Parser>
beast::error_code EndOfInput(Parser& parser, beast::error_code ec) {
  if (ec != net::error::eof) return ec;
  if (!parser.got_some()) return http::error::end_of_stream;
  beast::error_code eof_ec;
  parser.put_eof(eof_ec);
  return eof_ec;
}

// Feeds buffered bytes to `parser` until `done(parser)`, an error, or the bytes run out (no
// error: more must be read).
template <typename Parser, typename Done>
beast::error_code Parse(beast::flat_buffer& buffer, Parser& parser, Done done) {
  beast::error_code ec;
  while (buffer.size() > 0 && !done(parser)) {
    const size_t n = parser.put(buffer.data(), ec);
    buffer.consume(n);
    if (ec == http::error::need_more) return {};
    if (ec || n == 0) return ec;
  }
  return {};
}

// The reply for an exception escaping the gateway's own code; call from a catch block only.
// (Exceptions from the core are turned into statuses by Guarded before they get here.)
JsonReply GatewayFailed() {
  try {
    throw;
  } catch (const std::exception& e) {
    return ErrorReply(Internal(std::string("the HTTP gateway failed: ") + e.what()));
  } catch (...) {
    return ErrorReply(Internal("the HTTP gateway failed"));
  }
}

GatewayStream MakeStream(tcp::socket socket,
                         const std::shared_ptr<boost::asio::ssl::context>& tls_context) {
  if (tls_context) return GatewayStream(std::move(socket), *tls_context);
  return GatewayStream(std::move(socket));
}

}  // namespace

Session::Session(std::shared_ptr<ServerState> state, uint64_t slot, tcp::socket socket)
    : slot_(state, slot),
      state_(std::move(state)),
      strand_(socket.get_executor()),
      tls_context_(state_->CurrentTls()),
      stream_(MakeStream(std::move(socket), tls_context_)),
      timer_(strand_) {}

void Session::Start() {
  state_->Attach(slot_.id(), weak_from_this());
  PostToStrand([this] {
    if (stream_.tls()) return Handshake();
    // Replies are written at once when the socket takes them (WriteReply); the reactor's own
    // operations work the same on a non-blocking socket.
    beast::error_code ec;
    stream_.socket().non_blocking(true, ec);
    if (ec) return Close();
    ReadRequest();
  });
}

void Session::Handshake() {
  idle_ = true;  // nothing in flight: Drain may close at once
  ArmDeadline(state_->config.header_timeout);
  stream_.async_handshake(Handler(&Session::OnHandshake));
}

void Session::OnHandshake(beast::error_code ec) {
  idle_ = false;
  if (closed_) return;
  if (ec) {
    // A scanner, a plain-HTTP client, or a client without the certificate mutual TLS requires.
    spdlog::debug("HTTP: TLS handshake failed: {}", ec.message());
    return Close();
  }
  ReadRequest();
}

void Session::Drain() {
  PostToStrand([this] { OnDrain(); });
}

void Session::Abort() {
  PostToStrand([this] {
    cancelled_->store(true);
    Close();
  });
}

void Session::OnDrain() {
  draining_ = true;
  if (idle_) Close();
}

void Session::ArmDeadline(std::chrono::steady_clock::duration timeout) {
  deadline_ = std::chrono::steady_clock::now() + timeout;
  // A timer firing before the deadline re-arms itself (OnDeadline); one firing after it would
  // be late.
  if (deadline_ < timer_at_) StartTimer(deadline_);
}

void Session::StartTimer(std::chrono::steady_clock::time_point at) {
  timer_at_ = at;
  timer_.expires_at(at);  // a wait still pending completes with operation_aborted
  timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (ec == net::error::operation_aborted) return;
    if (auto self = weak.lock()) self->Safely([&] { self->OnDeadline(); });
  });
}

void Session::OnDeadline() {
  timer_at_ = std::chrono::steady_clock::time_point::max();
  if (closed_) return;
  if (std::chrono::steady_clock::now() < deadline_) return StartTimer(deadline_);
  // Past the deadline: an operation waiting for the client has waited too long. With nothing
  // pending (a call or stream in progress), there is nothing to time out; the next operation
  // that waits arms a new deadline.
  if (io_pending_ == 0) return;
  spdlog::debug("HTTP: connection timed out; closing");
  Close();
}

std::function<bool()> Session::CancelledFn() const {
  return [flag = cancelled_] { return flag->load(); };
}

bool Session::ExpectsContinue(const http::fields& headers) const {
  return version_ >= 11 && beast::iequals(headers[http::field::expect], "100-continue");
}

void Session::ReadRequest() {
  if (closed_) return;
  if (draining_) return Close();
  header_parser_.reset();
  body_parser_.reset();
  upload_parser_.reset();
  route_ = Route{};
  asset_ = nullptr;
  path_.clear();
  query_.clear();
  version_ = 11;
  keep_alive_ = true;
  unread_input_ = close_after_write_ = pending_linger_ = false;
  challenge_.clear();
  rpc_series_ = nullptr;
  ndjson_.reset();
  stream_serializer_.reset();
  stream_started_ = stream_writing_ = stream_ending_ = stream_raw_ = false;
  download_left_ = 0;
  upload_.reset();
  upload_invoker_ = nullptr;
  upload_reading_ = upload_paused_ = upload_call_done_ = false;

  header_parser_.emplace();
  header_parser_->header_limit(HeaderLimit(state_->config.max_header_bytes));
  // Content-Length is checked against the route's own limit once the route is known.
  header_parser_->body_limit(kUnlimited);
  idle_ = true;
  in_head_ = false;
  if (first_request_) {
    // The first head must be complete within header_timeout of the accept.
    first_request_ = false;
    in_head_ = true;
    ArmDeadline(state_->config.header_timeout);
  }
  if (buffer_.size() > 0) return ParseHeader();  // pipelined
  if (!in_head_) ArmDeadline(state_->config.idle_timeout);
  ReadSome(&Session::OnHeaderBytes);
}

void Session::ReadSome(void (Session::*next)(beast::error_code, size_t)) {
  // (Waiting for readability and then reading without waiting saves nothing on Linux: Asio
  // re-arms the descriptor with epoll_ctl for each wait, which costs what the read it would save
  // costs.)
  const size_t room = buffer_.capacity() - buffer_.size();
  stream_.async_read_some(buffer_.prepare(std::clamp(room, kReadBytes, kMaxReadBytes)),
                          Handler(next));
}

void Session::ParseHeader() {
  const auto ec = Parse(buffer_, *header_parser_, [](auto& p) { return p.is_header_done(); });
  if (ec || header_parser_->is_header_done()) return OnHeader(ec);
  if (!in_head_) {
    // The head has begun: header_timeout for the rest of it.
    in_head_ = true;
    ArmDeadline(state_->config.header_timeout);
  }
  ReadSome(&Session::OnHeaderBytes);
}

void Session::OnHeaderBytes(beast::error_code ec, size_t n) {
  if (closed_) return;
  // A connection closed between requests, a timeout or Drain: OnHeader closes.
  if (ec) return OnHeader(EndOfInput(*header_parser_, ec));
  buffer_.commit(n);
  ParseHeader();
}

void Session::OnHeader(beast::error_code ec) {
  idle_ = false;
  if (closed_) return;
  if (ec == http::error::header_limit) {
    return Refuse(431, ResourceExhausted("the request head is larger than " +
                                         std::to_string(state_->config.max_header_bytes) +
                                         " bytes (server.http.max_header_bytes)"));
  }
  if (IsConnectionError(ec)) return Close();
  if (ec) return Refuse(400, InvalidArgument("malformed HTTP request: " + ec.message()));

  const auto& req = header_parser_->get();
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  const std::string_view target(req.target().data(), req.target().size());
  const size_t q = target.find('?');
  path_.assign(target.substr(0, q));
  if (q == std::string_view::npos) {
    query_.clear();
  } else {
    query_.assign(target.substr(q + 1));
  }
  route_ = state_->router.Match(req.method(), path_);
  if (route_.kind == Route::Kind::kRpc) {
    rpc_series_ = state_->rpc_series(route_.method);
    if (rpc_series_ != nullptr) rpc_started_ = std::chrono::steady_clock::now();
  }
  // A page path the API also serves with another method (GET /ingest; POST /ingest is the API's)
  // is the page for GET and HEAD.
  const bool read = req.method() == http::verb::get || req.method() == http::verb::head;
  if (route_.kind == Route::Kind::kNotFound ||
      (read && route_.kind == Route::Kind::kMethodNotAllowed)) {
    asset_ = state_->assets.Find(path_);
  }
  if (!Admit()) return;
  if (route_.kind == Route::Kind::kRpc && route_.method->client_streaming()) return StartUpload();

  // Every other route reads its body whole, bounded, before anything else happens, so that the
  // connection stays in step whatever the answer is.
  const uint64_t limit = state_->config.max_body_bytes;
  const auto length = header_parser_->content_length();
  if (length && *length > limit) {
    return Refuse(413, ResourceExhausted("the request body (" + std::to_string(*length) +
                                         " bytes) is larger than " + std::to_string(limit) +
                                         " bytes (server.http.max_body_bytes)"));
  }
  body_parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  body_parser_->body_limit(limit);
  body_parser_->eager(true);  // the whole body per put(), as http::read does
  if (!body_parser_->is_done() && ExpectsContinue(body_parser_->get())) {
    return WriteContinue(&Session::ReadBody);
  }
  ReadBody();
}

bool Session::Admit() {
  if (asset_ != nullptr) return true;  // the page asks for the token the API calls need
  const auto& req = header_parser_->get();
  // The metrics are open or closed like health: monitoring is as credential-less as probing.
  const bool health = route_.kind == Route::Kind::kHealthz || route_.kind == Route::Kind::kReadyz ||
                      route_.kind == Route::Kind::kMetrics;
  const auto header = req.find(http::field::authorization);
  std::optional<std::string_view> authorization;
  if (header != req.end()) authorization.emplace(header->value().data(), header->value().size());
  const Status st = state_->policy.Authorize(authorization, health);
  if (st.ok()) return true;
  // RFC 6750: a request without credentials gets the bare challenge; a bad one says why.
  challenge_ = authorization ? R"(Bearer realm="archivum", error="invalid_token")"
                             : R"(Bearer realm="archivum")";
  if (header_parser_->is_done()) {
    SendReply(ErrorReply(401, st));  // nothing unread: the connection stays usable
  } else {
    Refuse(401, st);
  }
  return false;
}

void Session::WriteContinue(void (Session::*next)()) {
  after_continue_ = next;
  interim_ = {};
  interim_.version(11);
  interim_.result(http::status::continue_);
  ArmDeadline(state_->config.idle_timeout);
  http::async_write(stream_, interim_, Handler(&Session::OnContinueWritten));
}

void Session::OnContinueWritten(beast::error_code ec, size_t /*n*/) {
  if (ec) return Close();
  (this->*after_continue_)();
}

void Session::ReadBody() {
  const auto ec = Parse(buffer_, *body_parser_, [](auto& p) { return p.is_done(); });
  if (ec || body_parser_->is_done()) return OnBody(ec);
  ArmDeadline(state_->config.idle_timeout);
  ReadSome(&Session::OnBodyBytes);
}

void Session::OnBodyBytes(beast::error_code ec, size_t n) {
  if (closed_) return;
  if (ec) return OnBody(EndOfInput(*body_parser_, ec));
  buffer_.commit(n);
  ReadBody();
}

void Session::OnBody(beast::error_code ec) {
  if (closed_) return;
  if (ec == http::error::body_limit) {
    return Refuse(413, ResourceExhausted("the request body is larger than " +
                                         std::to_string(state_->config.max_body_bytes) +
                                         " bytes (server.http.max_body_bytes)"));
  }
  if (IsConnectionError(ec)) return Close();
  if (ec) return Refuse(400, InvalidArgument("malformed HTTP request body: " + ec.message()));
  Dispatch();
}

void Session::Dispatch() {
  auto& req = body_parser_->get();
  const auto& hooks = state_->hooks;
  if (asset_ != nullptr) return ServeAsset();
  switch (route_.kind) {
    case Route::Kind::kNotFound:
      return SendReply(ErrorReply(
          404, NotFound("no route for " + std::string(req.method_string()) + " " + path_)));
    case Route::Kind::kMethodNotAllowed:
      return SendReply(
          ErrorReply(405, Unimplemented(std::string(req.method_string()) + " is not allowed on " +
                                        path_ + "; allowed: " + route_.allow)),
          false, route_.allow);
    case Route::Kind::kHealthz: {
      const bool serving = !state_->draining() && (!hooks.serving || hooks.serving());
      return SendReply(serving ? JsonReply{200, R"({"status":"SERVING"})"}
                               : JsonReply{503, R"({"status":"NOT_SERVING"})"});
    }
    case Route::Kind::kReadyz: {
      const bool ready = !state_->draining() && (!hooks.ready || hooks.ready());
      return SendReply(ready ? JsonReply{200, R"({"status":"READY"})"}
                             : JsonReply{503, R"({"status":"NOT_READY"})"});
    }
    case Route::Kind::kMetrics: return ServeMetrics();
    case Route::Kind::kRpc: break;
  }
  // The call's time starts now that its request is read, as a gRPC handler's does.
  if (rpc_series_ != nullptr) rpc_started_ = std::chrono::steady_clock::now();
  auto ctx = MakeCallContext(req.base(), CancelledFn(), std::chrono::system_clock::now());
  if (!ctx.ok()) return SendReply(ErrorReply(ctx.status()));
  HttpCallInput input{query_, std::string(req[http::field::content_type]), std::move(req.body())};
  if (route_.method->server_streaming()) return StartStream(std::move(input), std::move(*ctx));
  StartUnary(std::move(input), std::move(*ctx));
}

void Session::ServeMetrics() {
  if (state_->metrics == nullptr) {
    return SendReply(ErrorReply(404, NotFound("this server exports no metrics")));
  }
  net::post(*state_->pool, [self = shared_from_this()] {
    JsonReply reply;
    try {
      reply = JsonReply{200, self->state_->metrics->Scrape(),
                        std::string(metrics::Metrics::kContentType)};
    } catch (...) {
      reply = GatewayFailed();
    }
    try {
      self->PostToStrand(
          [s = self.get(), reply = std::move(reply)]() mutable { s->SendReply(std::move(reply)); });
    } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory; dropping `self` closes it
    }
  });
}

void Session::RecordRpc(StatusCode code) {
  if (rpc_series_ == nullptr) return;
  rpc_series_->Observe(code, std::chrono::steady_clock::now() - rpc_started_);
  rpc_series_ = nullptr;
}

void Session::StartUnary(HttpCallInput input, CallContext ctx) {
  // The reply is sent from the connection's executor; the call keeps the connection alive until
  // then.
  const auto reply_from_worker = [](const std::shared_ptr<Session>& self, JsonReply reply) {
    try {
      self->PostToStrand(
          [s = self.get(), reply = std::move(reply)]() mutable { s->SendReply(std::move(reply)); });
    } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory; dropping `self` closes it
    }
  };

  if (input.body.size() > kInlineBuildBytes || input.query.size() > kInlineBuildBytes) {
    // A large request is decoded on a worker too, not on this I/O thread.
    net::post(*state_->pool, [self = shared_from_this(), route = route_, input = std::move(input),
                              ctx = std::move(ctx), reply_from_worker]() mutable {
      JsonReply reply;
      try {
        reply = RunUnary(self->state_->bindings, route, input, ctx);
      } catch (...) {
        reply = GatewayFailed();
      }
      reply_from_worker(self, std::move(reply));
    });
    return;
  }

  // A small request is decoded here, which tells whether the call is short: a short one runs
  // right here, saving two thread hops; any other goes to the worker pool.
  // The connection's messages and reply buffer from its previous call are reused.
  std::optional<JsonReply> reply;
  try {
    reply = PrepareUnary(state_->bindings, route_, input, &unary_);
    if (!reply && unary_.may_run_on_io_thread())
      reply = RunPrepared(route_, unary_, ctx, TakeReplyBuffer());
  } catch (...) {
    unary_ = {};
    reply = GatewayFailed();
  }
  if (reply) {
    // A large reply had large messages: not worth holding on an idle connection.
    if (reply->body.size() > kMaxKeptReplyBytes) unary_ = {};
    return SendReply(std::move(*reply));
  }
  PreparedUnary call = std::move(unary_);
  unary_ = {};
  net::post(*state_->pool, [self = shared_from_this(), route = route_, call = std::move(call),
                            ctx = std::move(ctx), reply_from_worker]() mutable {
    JsonReply result;
    try {
      result = RunPrepared(route, call, ctx);
    } catch (...) {
      result = GatewayFailed();
    }
    reply_from_worker(self, std::move(result));
  });
}

std::string Session::TakeReplyBuffer() {
  std::string buffer = std::move(reply_body_);
  reply_body_ = std::string();
  if (buffer.capacity() > kMaxKeptReplyBytes) return {};
  return buffer;
}

void Session::SendReply(JsonReply reply, bool close, std::string_view allow) {
  RecordRpc(reply.code);
  if (closed_) return;
  const bool keep = keep_alive_ && !close && !draining_;
  reply_body_ = std::move(reply.body);
  reply_static_.reset();
  reply_head_.clear();
  ReplyHead head;
  head.version = version_;
  head.status = reply.status;
  head.keep_alive = keep;
  head.allow = allow;
  head.challenge = challenge_;
  if (!reply.media_type.empty()) {
    head.content_type = reply.media_type;
    head.media = true;
  }
  head.content_length = reply_body_.size();
  AppendReplyHead(head, &reply_head_);
  close_after_write_ = !keep;
  WriteReply();
}

void Session::WriteReply() {
  std::array<net::const_buffer, 2> buffers{
      net::buffer(reply_head_), reply_static_
                                    ? net::buffer(reply_static_->data(), reply_static_->size())
                                    : net::buffer(std::as_const(reply_body_))};
  if (!stream_.tls()) {
    // The usual reply fits the socket's send buffer: write it now, without a round through the
    // reactor.
    beast::error_code ec;
    size_t n = stream_.socket().write_some(buffers, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      ec = {};
      n = 0;
    }
    if (ec) return Close();
    if (n == buffers[0].size() + buffers[1].size()) {
      // Pipelined requests go through the executor, one at a time, rather than recursing.
      if (buffer_.size() > 0) return PostToStrand([this] { FinishRequest(); });
      return FinishRequest();
    }
    const size_t from_head = std::min(n, buffers[0].size());
    buffers[0] += from_head;
    buffers[1] += n - from_head;
  }
  ArmDeadline(state_->config.idle_timeout);
  net::async_write(stream_, buffers, Handler(&Session::OnReplyWritten));
}

void Session::OnReplyWritten(beast::error_code ec, size_t /*n*/) {
  if (ec) return Close();
  FinishRequest();
}

void Session::Refuse(unsigned http_status, Status status) {
  unread_input_ = true;
  SendReply(ErrorReply(http_status, status), /*close=*/true);
}

void Session::FinishRequest() {
  if (closed_) return;
  if (!close_after_write_ && !draining_) return ReadRequest();
  if (!unread_input_) return Close();
  if (upload_reading_) {
    pending_linger_ = true;  // OnUploadRead lingers once the cancelled read has completed
    return;
  }
  LingeringClose();
}

void Session::LingeringClose() {
  if (closed_) return;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  drain_scratch_.resize(kLingerReadBytes);
  drained_ = 0;
  // One bound for the whole linger: the client only has to read the reply and close.
  ArmDeadline(state_->config.header_timeout);
  stream_.async_read_some(net::buffer(drain_scratch_), Handler(&Session::OnDrainRead));
}

void Session::OnDrainRead(beast::error_code ec, size_t n) {
  drained_ += n;
  if (ec || closed_ || drained_ > kMaxLingerBytes) return Close();
  stream_.async_read_some(net::buffer(drain_scratch_), Handler(&Session::OnDrainRead));
}

void Session::Close() {
  if (closed_) return;
  // A call cut off with its connection ends, for the client, as a cancelled one.
  RecordRpc(StatusCode::kCancelled);
  closed_ = true;
  idle_ = false;
  cancelled_->store(true);
  if (ndjson_) ndjson_->Abort();
  if (upload_) upload_->Abort();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  timer_.cancel();
  timer_at_ = std::chrono::steady_clock::time_point::max();
}

}  // namespace archivum::api::gateway
