// Session's two streaming directions: server-streaming RPCs written as NDJSON while the call
// runs (or, for GET /v1/content, as the raw bytes of a download framed by Content-Length), and
// Upload's request body read piecewise while the core consumes it.
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <limits>

#include "api/http/call_metadata.h"
#include "api/http/download_head.h"
#include "api/http/json_mapping.h"
#include "api/http/query_params.h"
#include "api/http/session.h"

namespace archivum::api::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace pb = ::aichemist_archivum;

namespace {

// Lines waiting to be written; with the one in flight this bounds a stream's memory.
constexpr size_t kStreamQueueLines = 16;
// Body bytes handed to the core per UploadChunk, and how many may wait for it.
constexpr size_t kUploadPiece = 64 * 1024;
constexpr size_t kUploadQueuePieces = 4;
constexpr char kNdjsonType[] = "application/x-ndjson";

// A download's queue item for `message` (a ContentChunk): the serialized header first, then each
// data part's bytes. The core promises that order; anything else is a gateway error.
Status DownloadItem(const Message& message, bool* header_seen, std::string* item) {
  const auto* chunk = google::protobuf::DynamicCastToGenerated<pb::ContentChunk>(&message);
  if (chunk == nullptr) {
    return Internal("gateway bug: a download of " + message.GetDescriptor()->full_name());
  }
  if (chunk->has_header()) {
    if (*header_seen) return Internal("the content stream sent a second header");
    *header_seen = true;
    *item = chunk->header().SerializeAsString();
    return Status::Ok();
  }
  if (!*header_seen) return Internal("the content stream sent data before its header");
  *item = chunk->data();
  return Status::Ok();
}

}  // namespace

// ---- Server streaming ---------------------------------------------------------------------

void Session::StartStream(HttpCallInput input, CallContext ctx) {
  ndjson_ = std::make_shared<NdjsonQueue>(kStreamQueueLines);
  // A download is framed by its Content-Length, in HTTP/1.0 too.
  stream_raw_ = route_.media;
  stream_chunked_ = version_ >= 11 && !stream_raw_;
  if (version_ < 11 && !stream_raw_) keep_alive_ = false;  // the body ends with the connection
  net::post(*state_->pool, [self = shared_from_this(), queue = ndjson_, route = route_,
                            input = std::move(input), ctx = std::move(ctx)] {
    try {
      std::optional<JsonReply> refused;
      Status print_error;
      Status st = Guarded(route.method->name(), [&]() -> Status {
        const auto it = self->state_->bindings.find(route.method->name());
        if (it == self->state_->bindings.end() || !it->second.server_stream) {
          return UnboundMethod(route.method);
        }
        auto request = NewMessage(route.method->input_type());
        if (!request) return Internal("no generated type for " + route.method->full_name());
        refused = BuildRequest(route, input, request.get());
        if (refused) return Status::Ok();
        bool header_seen = false;
        return it->second.server_stream(*request, ctx, [&](const Message& message) {
          std::string item;
          if (route.media) {
            print_error = DownloadItem(message, &header_seen, &item);
            if (!print_error.ok()) return false;
          } else {
            auto json = PrintJson(message);
            if (!json.ok()) {
              print_error = json.status();
              return false;
            }
            item = ResultLine(*json);
          }
          if (!queue->Push(std::move(item))) return false;  // the client went away
          self->PostToStrand([s = self.get()] { s->PumpStream(); });
          return true;
        });
      });
      if (refused) {
        self->PostToStrand([s = self.get(), reply = std::move(*refused)]() mutable {
          s->ndjson_.reset();
          s->SendReply(std::move(reply));
        });
        return;
      }
      queue->Close(print_error.ok() ? st : print_error);
      self->PostToStrand([s = self.get()] { s->PumpStream(); });
    } catch (const std::exception& e) {
      spdlog::error("HTTP stream {}: {}", route.method->name(), e.what());
      queue->Close(Internal("the HTTP gateway failed"));
    }
  });
}

void Session::PumpStream() {
  if (closed_ || !ndjson_ || stream_writing_ || stream_ending_) return;
  NdjsonQueue::Item item = ndjson_->Pop();
  switch (item.kind) {
    case NdjsonQueue::Item::Kind::kEmpty: return;
    case NdjsonQueue::Item::Kind::kLine:
      if (stream_raw_ && !stream_started_) return WriteDownloadHead(item.line);
      stream_line_ = std::move(item.line);
      if (stream_raw_) {
        if (stream_line_.size() > download_left_) {
          // More bytes than announced: the download cannot be completed truthfully.
          spdlog::error("HTTP download {}: the content outgrew its header", path_);
          return Close();
        }
        download_left_ -= stream_line_.size();
      }
      return stream_started_ ? WriteStreamBytes() : WriteStreamHead();
    case NdjsonQueue::Item::Kind::kEnd:
      if (!stream_started_ && (!item.final.ok() || stream_raw_)) {
        // Nothing streamed yet: answer like a unary call, with the mapped HTTP status.
        ndjson_.reset();
        return SendReply(ErrorReply(
            item.final.ok() ? Internal("the content stream ended without a header") : item.final));
      }
      RecordRpc(item.final.code());
      if (stream_raw_) return EndDownload(item.final);
      stream_ending_ = true;
      stream_line_ = item.final.ok() ? std::string() : ErrorLine(item.final);
      return stream_started_ ? WriteStreamBytes() : WriteStreamHead();
  }
}

void Session::WriteStreamHead() {
  stream_started_ = true;
  stream_writing_ = true;
  stream_head_ = {};
  stream_head_.version(version_);
  stream_head_.result(http::status::ok);
  stream_head_.set(http::field::server, "archivum");
  stream_head_.set(http::field::content_type, kNdjsonType);
  stream_head_.keep_alive(keep_alive_ && !draining_);
  if (stream_chunked_) stream_head_.chunked(true);
  stream_serializer_.emplace(stream_head_);
  ArmDeadline(state_->config.idle_timeout);
  http::async_write_header(stream_, *stream_serializer_, Handler(&Session::OnStreamHeadWritten));
}

void Session::OnStreamHeadWritten(beast::error_code ec, size_t /*n*/) {
  stream_writing_ = false;
  if (ec) return Close();
  if (stream_raw_) return PumpStream();  // the header was the item; the bytes follow
  WriteStreamBytes();
}

void Session::WriteDownloadHead(const std::string& serialized_header) {
  pb::ContentHeader header;
  if (!header.ParseFromString(serialized_header)) {
    ndjson_->Abort();
    ndjson_.reset();
    return SendReply(ErrorReply(Internal("the gateway could not read the content header")));
  }
  stream_started_ = true;
  stream_writing_ = true;
  download_left_ = header.size();
  stream_head_ = {};
  stream_head_.version(version_);
  stream_head_.result(http::status::ok);
  stream_head_.set(http::field::server, "archivum");
  stream_head_.set(http::field::content_type, DownloadMediaType(header.mime()));
  stream_head_.set(http::field::content_disposition, ContentDisposition(header.path()));
  // Never sniffed, never run as a page of the daemon's origin, never kept by a shared cache.
  stream_head_.set("X-Content-Type-Options", "nosniff");
  stream_head_.set("Content-Security-Policy", "default-src 'none'; sandbox");
  stream_head_.set(http::field::cache_control, "no-store");
  stream_head_.set("Referrer-Policy", "no-referrer");
  stream_head_.keep_alive(keep_alive_ && !draining_);
  stream_head_.content_length(header.size());
  stream_serializer_.emplace(stream_head_);
  ArmDeadline(state_->config.idle_timeout);
  http::async_write_header(stream_, *stream_serializer_, Handler(&Session::OnStreamHeadWritten));
}

// After the last item of a download: a failed call, or fewer bytes than announced, ends the
// connection with the body cut short, so the client sees a failed download rather than a
// complete one; else the connection goes on to the next request.
void Session::EndDownload(const Status& final) {
  ndjson_.reset();
  if (!final.ok() || download_left_ != 0) {
    spdlog::warn("HTTP download {} failed after its head: {}", path_, final.message());
    return Close();
  }
  close_after_write_ = !stream_head_.keep_alive();
  FinishRequest();
}

// Writes stream_line_ as one chunk (flushed on its own, so the client sees each message as it
// is produced); when ending, the last chunk follows.
void Session::WriteStreamBytes() {
  stream_writing_ = true;
  ArmDeadline(state_->config.idle_timeout);
  const auto line = net::buffer(stream_line_);
  if (stream_raw_) {
    return net::async_write(stream_, line, Handler(&Session::OnStreamBytesWritten));
  }
  if (!stream_ending_) {
    if (stream_chunked_) {
      return net::async_write(stream_, http::make_chunk(line),
                              Handler(&Session::OnStreamBytesWritten));
    }
    return net::async_write(stream_, line, Handler(&Session::OnStreamBytesWritten));
  }
  if (!stream_chunked_) {
    if (stream_line_.empty()) return OnStreamEndWritten({}, 0);
    return net::async_write(stream_, line, Handler(&Session::OnStreamEndWritten));
  }
  if (stream_line_.empty()) {
    return net::async_write(stream_, http::make_chunk_last(),
                            Handler(&Session::OnStreamEndWritten));
  }
  net::async_write(stream_, beast::buffers_cat(http::make_chunk(line), http::make_chunk_last()),
                   Handler(&Session::OnStreamEndWritten));
}

void Session::OnStreamBytesWritten(beast::error_code ec, size_t /*n*/) {
  stream_writing_ = false;
  if (ec) return Close();  // aborts the queue: the producer's next Push fails, the call stops
  PumpStream();
}

void Session::OnStreamEndWritten(beast::error_code ec, size_t /*n*/) {
  stream_writing_ = false;
  ndjson_.reset();
  if (ec || !stream_chunked_) return Close();
  close_after_write_ = !stream_head_.keep_alive();
  FinishRequest();
}

// ---- Upload -------------------------------------------------------------------------------

void Session::StartUpload() {
  const auto& req = header_parser_->get();
  auto ctx = MakeCallContext(req.base(), CancelledFn(), std::chrono::system_clock::now());
  if (!ctx.ok()) return Refuse(400, ctx.status());
  const auto it = state_->bindings.find(route_.method->name());
  if (it == state_->bindings.end() || !it->second.client_stream) {
    return Refuse(501, UnboundMethod(route_.method));
  }
  const auto type = req[http::field::content_type];
  if (type.size() >= 10 && beast::iequals(type.substr(0, 10), "multipart/")) {
    return Refuse(415,
                  InvalidArgument("multipart uploads are not supported; send the document's "
                                  "bytes as the body (Content-Type: application/octet-stream)"));
  }

  pb::UploadHeader header;
  if (auto name = FindQueryParam(query_, "name")) {
    header.set_name(std::move(*name));
  } else {
    header.set_name(std::string(req["X-Archivum-Name"]));
  }
  // A declared size lets the core tell a truncated body from a complete one.
  if (auto length = header_parser_->content_length()) header.set_size(*length);

  upload_parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  // Not max_body_bytes: the body is never held whole; the core bounds it (ingest.max_file_size).
  upload_parser_->body_limit(std::numeric_limits<uint64_t>::max());
  upload_invoker_ = &it->second.client_stream;
  upload_ctx_ = std::move(*ctx);
  std::weak_ptr<Session> weak = weak_from_this();
  upload_ = std::make_shared<UploadBridge>(std::move(header), kUploadQueuePieces,
                                           [weak, strand = strand_] {
                                             // Runs on the worker: hop to the strand, unless the
                                             // connection is already gone.
                                             net::post(strand, [weak] {
                                               if (auto s = weak.lock())
                                                 s->Safely([&] { s->ResumeUpload(); });
                                             });
                                           });
  if (!upload_parser_->is_done() && ExpectsContinue(upload_parser_->get())) {
    return WriteContinue(&Session::RunUpload);  // the call starts once the interim reply is out
  }
  RunUpload();
}

void Session::RunUpload() {
  net::post(*state_->pool, [self = shared_from_this(), bridge = upload_, invoke = upload_invoker_,
                            method = route_.method, ctx = upload_ctx_] {
    JsonReply reply;
    try {
      auto response = NewMessage(method->output_type());
      const Status st = response ? Guarded(method->name(),
                                           [&] { return (*invoke)(*bridge, ctx, response.get()); })
                                 : Internal("no generated type for " + method->full_name());
      if (st.ok()) {
        auto json = PrintJson(*response);
        reply = json.ok() ? JsonReply{200, std::move(*json)} : ErrorReply(json.status());
      } else {
        reply = ErrorReply(st);
      }
    } catch (const std::exception& e) {
      reply = ErrorReply(Internal(std::string("the HTTP gateway failed: ") + e.what()));
    }
    try {
      self->PostToStrand([s = self.get(), reply = std::move(reply)]() mutable {
        s->OnUploadDone(std::move(reply));
      });
    } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory; dropping `self` closes it
    }
  });
  ReadUploadPiece();
}

void Session::ReadUploadPiece() {
  if (closed_ || upload_call_done_ || upload_reading_) return;
  if (upload_parser_->is_done()) return upload_->Finish();
  if (upload_->Full()) {
    upload_paused_ = true;  // ResumeUpload continues once the core took a piece
    return;
  }
  if (piece_.size() != kUploadPiece) {
    piece_.resize(kUploadPiece);
    piece_used_ = 0;
  }
  auto& body = upload_parser_->get().body();
  body.data = piece_.data() + piece_used_;
  body.size = kUploadPiece - piece_used_;
  body.more = true;
  upload_reading_ = true;
  ArmDeadline(state_->config.idle_timeout);
  http::async_read_some(stream_, buffer_, *upload_parser_, Handler(&Session::OnUploadRead));
}

void Session::OnUploadRead(beast::error_code ec, size_t /*n*/) {
  upload_reading_ = false;
  if (pending_linger_) return LingeringClose();
  if (closed_ || upload_call_done_) return;  // the reply is under way; this read was cancelled
  if (ec == http::error::need_buffer) ec = {};
  if (ec) {
    // The body cannot be completed (client gone, stalled past idle_timeout, malformed chunk):
    // the core must see the call cancelled rather than a short document.
    cancelled_->store(true);
    return Close();
  }
  piece_used_ = kUploadPiece - upload_parser_->get().body().size;
  if (piece_used_ == kUploadPiece || (upload_parser_->is_done() && piece_used_ > 0)) {
    piece_.resize(piece_used_);
    upload_->Push(std::move(piece_));
    piece_.clear();
    piece_used_ = 0;
  }
  ReadUploadPiece();
}

void Session::ResumeUpload() {
  if (!upload_paused_) return;
  upload_paused_ = false;
  ReadUploadPiece();
}

void Session::OnUploadDone(JsonReply reply) {
  upload_call_done_ = true;
  upload_paused_ = false;
  if (closed_) return;
  if (upload_parser_->is_done() && !upload_reading_) return SendReply(std::move(reply));
  // The core stopped before the end of the body (it failed, typically over the size limit):
  // answer now and close, lingering so the client can read the answer.
  if (upload_reading_) {
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }
  unread_input_ = true;
  SendReply(std::move(reply), /*close=*/true);
}

}  // namespace archivum::api::gateway
