#include "api/grpc/file_manager_service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>

#include "api/grpc/access.h"
#include "api/grpc/raw_unary_call.h"
#include "api/grpc/status_convert.h"
#include "common/guarded.h"

namespace archivum::api {
namespace pb = ::aichemist_archivum;

CallContext MakeCallContext(grpc::CallbackServerContext* ctx) {
  CallContext cc;
  cc.deadline = ctx->deadline();
  // Both captures are one pointer, which std::function stores without allocating. The metadata
  // is copied only if the core asks for it; `ctx` lives until the call is finished.
  cc.cancelled = [ctx] { return ctx->IsCancelled(); };
  cc.set_metadata_source([ctx](CallContext::Metadata* out) {
    for (const auto& [key, value] : ctx->client_metadata()) {
      out->emplace(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
    }
  });
  return cc;
}

namespace {

// Why a call is refused before it starts: the daemon is shutting down (`calls` draining), or the
// access policy turns the caller away. OK to go ahead.
Status Admit(const CallTracker* calls, const auth::AccessPolicy& policy,
             const grpc::CallbackServerContext& ctx) {
  if (calls != nullptr && calls->draining()) {
    return Unavailable("archivumd is shutting down; retry against another instance or later");
  }
  return Authorize(policy, ctx, /*health=*/false);
}

// Times one call for its metrics series (none: nothing recorded), from construction to Record.
class RpcClock {
 public:
  explicit RpcClock(metrics::RpcSeries* series)
      : series_(series),
        started_(series != nullptr ? std::chrono::steady_clock::now()
                                   : std::chrono::steady_clock::time_point()) {}
  void Record(StatusCode code) const {
    if (series_ != nullptr) series_->Observe(code, std::chrono::steady_clock::now() - started_);
  }

 private:
  metrics::RpcSeries* series_;
  std::chrono::steady_clock::time_point started_;
};

// Runs a unary call and finishes it: on gRPC's thread when `run_inline(request)` (short calls:
// the hop to a worker would cost more than the call), else posted to the worker pool. A call
// Admit refuses, or whose bytes are not a valid Request, is answered at once.
template <typename Request, typename Response, typename Method, typename Inline>
grpc::ServerUnaryReactor* Dispatch(const char* name, metrics::RpcSeries* series,
                                   grpc::CallbackServerContext* ctx,
                                   const grpc::ByteBuffer* raw_request,
                                   grpc::ByteBuffer* raw_response, boost::asio::thread_pool* pool,
                                   core::FileManager* core, const auth::AccessPolicy& policy,
                                   CallTracker* calls, Method method, Inline run_inline) {
  auto* call = new RawUnaryCall<Request, Response>(CallTracker::EnterIfAny(calls), raw_response);
  const RpcClock clock(series);
  if (Status st = Admit(calls, policy, *ctx); !st.ok()) {
    clock.Record(st.code());
    call->Complete(st);
    return call;
  }
  if (Status st = ParseMessage(*raw_request, call->request()); !st.ok()) {
    clock.Record(st.code());
    call->Complete(st);
    return call;
  }
  const auto run = [=] {
    const Status st = Guarded(name, [&] {
      const CallContext cc = MakeCallContext(ctx);
      return (core->*method)(*call->request(), cc, call->response());
    });
    clock.Record(st.code());
    call->Complete(st);
  };
  if (run_inline(*call->request())) {
    run();
  } else {
    boost::asio::post(*pool, run);
  }
  return call;
}

constexpr auto kAlwaysInline = [](const auto&) { return true; };
constexpr auto kNeverInline = [](const auto&) { return false; };

// Streams a server-streaming call's messages with flow control: the worker blocks while
// `max_queued` messages wait to be written, so a slow client slows the producer (an ingest's walk,
// a content read) instead of growing memory. Messages are serialized by the worker that produces
// them; gRPC writes the bytes. `body` runs once on the pool with the call's context and an emit
// function (false once the client is gone); its status finishes the call.
class StreamReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  using Emit = std::function<bool(const google::protobuf::Message&)>;
  using Body = std::function<Status(const CallContext&, const Emit&)>;

  StreamReactor(const char* name, grpc::CallbackServerContext* ctx, Body body,
                boost::asio::thread_pool* pool, CallTracker::Ticket ticket, size_t max_queued,
                const RpcClock& clock)
      : ticket_(std::move(ticket)),
        clock_(clock),
        name_(name),
        ctx_(ctx),
        body_(std::move(body)),
        max_queued_(max_queued) {
    boost::asio::post(*pool, [this] { Work(); });
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (ok) {
      queue_.pop_front();
    } else {
      broken_ = true;  // the client is gone; stop producing
    }
    cv_.notify_all();
    PumpLocked();
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    broken_ = true;
    cv_.notify_all();
  }

  void OnDone() override { delete this; }

 private:
  void Work() {
    CallContext cc = MakeCallContext(ctx_);
    const Status st = Guarded(name_, [&] {
      return body_(cc, [this](const google::protobuf::Message& message) {
        grpc::ByteBuffer bytes;
        if (!SerializeMessage(message, &bytes).ok()) {
          return false;  // cannot happen for a message we built; stop rather than skip
        }
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return queue_.size() < max_queued_ || broken_; });
        if (broken_) return false;
        queue_.push_back(std::move(bytes));
        PumpLocked();
        return true;
      });
    });
    std::lock_guard lock(mu_);
    done_ = true;
    final_ = ToGrpc(st);
    PumpLocked();
  }

  // Starts the next write, or finishes once the worker is done and the queue drained.
  void PumpLocked() {
    if (writing_ || finished_) return;
    if (!broken_ && !queue_.empty()) {
      writing_ = true;
      StartWrite(&queue_.front());
      return;
    }
    if (done_) {
      finished_ = true;
      grpc::Status status = broken_ && final_.ok()
                                ? grpc::Status(grpc::StatusCode::CANCELLED, "stream broken")
                                : final_;
      clock_.Record(static_cast<StatusCode>(status.error_code()));
      Finish(std::move(status));
    }
  }

  CallTracker::Ticket ticket_;  // counts the call until OnDone deletes the reactor
  const RpcClock clock_;
  const char* const name_;
  grpc::CallbackServerContext* ctx_;
  const Body body_;
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<grpc::ByteBuffer> queue_;  // guarded by mu_; front() is being written if writing_
  bool writing_ = false;                // guarded by mu_
  bool broken_ = false;                 // guarded by mu_
  bool done_ = false;                   // guarded by mu_
  bool finished_ = false;               // guarded by mu_
  grpc::Status final_;                  // guarded by mu_
};

// Ingest events are small: many may wait. Content chunks are up to 64 KiB: a few, bounding a
// download's buffered bytes to about 1 MiB.
constexpr size_t kMaxQueuedEvents = 256;
constexpr size_t kMaxQueuedContentChunks = 16;

// Bridges gRPC's asynchronous reads to the core's blocking UploadReader: the core runs on a
// worker and pulls chunks; at most kMaxBuffered chunks wait in memory, so a fast client is
// slowed to the pipeline's pace instead of filling memory. Chunks arrive as bytes and are parsed
// by Next(); a malformed one ends the stream with error() set, so the core refuses the upload.
class UploadReactor final : public grpc::ServerReadReactor<grpc::ByteBuffer>,
                            public core::UploadReader {
 public:
  UploadReactor(grpc::CallbackServerContext* ctx, grpc::ByteBuffer* response,
                core::FileManager* core, boost::asio::thread_pool* pool, CallTracker::Ticket ticket,
                const RpcClock& clock)
      : ticket_(std::move(ticket)), clock_(clock), ctx_(ctx), response_(response), core_(core) {
    reading_ = true;
    StartRead(&incoming_);
    boost::asio::post(*pool, [this] { Work(); });
  }

  void OnReadDone(bool ok) override {
    std::lock_guard lock(mu_);
    reading_ = false;
    if (!ok) {
      eof_ = true;
    } else {
      ready_.push_back(std::move(incoming_));
      if (ready_.size() < kMaxBuffered && !finished_ && error_.ok()) {
        reading_ = true;
        StartRead(&incoming_);
      }
    }
    cv_.notify_all();
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

  void OnDone() override { delete this; }

  bool Next(pb::UploadChunk* chunk) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !ready_.empty() || eof_ || cancelled_ || !error_.ok(); });
    if (ready_.empty() || !error_.ok()) return false;
    const grpc::ByteBuffer bytes = std::move(ready_.front());
    ready_.pop_front();
    ++received_;
    if (!reading_ && !eof_ && !cancelled_ && !finished_) {
      reading_ = true;
      StartRead(&incoming_);
    }
    lock.unlock();
    chunk->Clear();
    if (Status st = ParseMessage(bytes, chunk); !st.ok()) {
      lock.lock();
      error_ = InvalidArgument("upload message " + std::to_string(received_) + ": " + st.message());
      return false;
    }
    return true;
  }

  Status error() const override {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  static constexpr size_t kMaxBuffered = 4;

  void Work() {
    const CallContext cc = MakeCallContext(ctx_);
    pb::IngestSummary summary;
    Status st = Guarded("Upload", [&] { return core_->Upload(*this, cc, &summary); });
    grpc::Status result = ToGrpc(st);
    if (result.ok()) result = SerializeMessage(summary, response_);
    clock_.Record(static_cast<StatusCode>(result.error_code()));
    std::lock_guard lock(mu_);
    finished_ = true;
    Finish(std::move(result));
  }

  CallTracker::Ticket ticket_;  // counts the call until OnDone deletes the reactor
  const RpcClock clock_;
  grpc::CallbackServerContext* ctx_;
  grpc::ByteBuffer* response_;  // gRPC's response buffer for this call
  core::FileManager* core_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  grpc::ByteBuffer incoming_;           // target of the read in flight
  std::deque<grpc::ByteBuffer> ready_;  // guarded by mu_
  uint64_t received_ = 0;               // guarded by mu_: messages handed to Next
  Status error_;                        // guarded by mu_: a malformed message
  bool reading_ = false;                // guarded by mu_
  bool eof_ = false;                    // guarded by mu_
  bool cancelled_ = false;              // guarded by mu_
  bool finished_ = false;               // guarded by mu_
};

}  // namespace

FileManagerService::FileManagerService(core::FileManager* core, boost::asio::thread_pool* pool,
                                       auth::AccessPolicy policy, CallTracker* calls,
                                       metrics::Metrics* metrics)
    : core_(core), pool_(pool), policy_(std::move(policy)), calls_(calls), series_([metrics] {
        Series s;
        if (metrics == nullptr) return s;
        const auto over = metrics::Transport::kGrpc;
        s.ingest = metrics->Rpc(over, "Ingest");
        s.analyze = metrics->Rpc(over, "Analyze");
        s.ingest_stream = metrics->Rpc(over, "IngestStream");
        s.get_content = metrics->Rpc(over, "GetContent");
        s.upload = metrics->Rpc(over, "Upload");
        s.get_document = metrics->Rpc(over, "GetDocument");
        s.get_thumbnail = metrics->Rpc(over, "GetThumbnail");
        s.list_plugins = metrics->Rpc(over, "ListPlugins");
        s.list_quarantine = metrics->Rpc(over, "ListQuarantine");
        s.clear_quarantine = metrics->Rpc(over, "ClearQuarantine");
        s.get_watch_status = metrics->Rpc(over, "GetWatchStatus");
        return s;
      }()) {}

grpc::ServerUnaryReactor* FileManagerService::Ingest(grpc::CallbackServerContext* ctx,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return Dispatch<pb::IngestRequest, pb::IngestSummary>("Ingest", series_.ingest, ctx, request,
                                                        response, pool_, core_, policy_, calls_,
                                                        &core::FileManager::Ingest, kNeverInline);
}

grpc::ServerUnaryReactor* FileManagerService::Analyze(grpc::CallbackServerContext* ctx,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* response) {
  // AnalyzeMayRunOnIoThread is documented not to throw (a pure look at the query text).
  return Dispatch<pb::AnalyzeRequest, pb::AnalyzeResponse>(
      "Analyze", series_.analyze, ctx, request, response, pool_, core_, policy_, calls_,
      &core::FileManager::Analyze,
      [this](const pb::AnalyzeRequest& r) { return core_->AnalyzeMayRunOnIoThread(r); });
}

grpc::ServerUnaryReactor* FileManagerService::GetDocument(grpc::CallbackServerContext* ctx,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return Dispatch<pb::GetDocumentRequest, pb::Document>(
      "GetDocument", series_.get_document, ctx, request, response, pool_, core_, policy_, calls_,
      &core::FileManager::GetDocument, kAlwaysInline);
}

grpc::ServerUnaryReactor* FileManagerService::GetThumbnail(grpc::CallbackServerContext* ctx,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  return Dispatch<pb::GetThumbnailRequest, pb::Thumbnail>(
      "GetThumbnail", series_.get_thumbnail, ctx, request, response, pool_, core_, policy_, calls_,
      &core::FileManager::GetThumbnail, kAlwaysInline);
}

grpc::ServerUnaryReactor* FileManagerService::ListPlugins(grpc::CallbackServerContext* ctx,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return Dispatch<pb::ListPluginsRequest, pb::ListPluginsResponse>(
      "ListPlugins", series_.list_plugins, ctx, request, response, pool_, core_, policy_, calls_,
      &core::FileManager::ListPlugins, kAlwaysInline);
}

// The quarantine's in-memory copy: as short as ListPlugins.
grpc::ServerUnaryReactor* FileManagerService::ListQuarantine(grpc::CallbackServerContext* ctx,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return Dispatch<pb::ListQuarantineRequest, pb::ListQuarantineResponse>(
      "ListQuarantine", series_.list_quarantine, ctx, request, response, pool_, core_, policy_,
      calls_, &core::FileManager::ListQuarantine, kAlwaysInline);
}

// Writes the catalog, which may wait behind an ingest's commit: on a worker.
grpc::ServerUnaryReactor* FileManagerService::ClearQuarantine(grpc::CallbackServerContext* ctx,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return Dispatch<pb::ClearQuarantineRequest, pb::ClearQuarantineResponse>(
      "ClearQuarantine", series_.clear_quarantine, ctx, request, response, pool_, core_, policy_,
      calls_, &core::FileManager::ClearQuarantine, kNeverInline);
}

// The watcher's in-memory status: as short as ListPlugins.
grpc::ServerUnaryReactor* FileManagerService::GetWatchStatus(grpc::CallbackServerContext* ctx,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return Dispatch<pb::GetWatchStatusRequest, pb::WatchStatus>(
      "GetWatchStatus", series_.get_watch_status, ctx, request, response, pool_, core_, policy_,
      calls_, &core::FileManager::GetWatchStatus, kAlwaysInline);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* FileManagerService::IngestStream(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) {
  CallTracker::Ticket ticket = CallTracker::EnterIfAny(calls_);
  const RpcClock clock(series_.ingest_stream);
  if (Status st = Admit(calls_, policy_, *ctx); !st.ok()) {
    clock.Record(st.code());
    return new RejectedWriteReactor<grpc::ByteBuffer>(st);
  }
  pb::IngestRequest parsed;
  if (Status st = ParseMessage(*request, &parsed); !st.ok()) {
    clock.Record(st.code());
    return new RejectedWriteReactor<grpc::ByteBuffer>(st);
  }
  core::FileManager* core = core_;
  auto body = [core, request = std::move(parsed)](const CallContext& cc,
                                                  const StreamReactor::Emit& emit) {
    pb::IngestSummary summary;  // not sent: the stream ends after the last event
    return core->IngestStream(
        request, cc, [&emit](const pb::IngestEvent& ev) { return emit(ev); }, &summary);
  };
  return new StreamReactor("IngestStream", ctx, std::move(body), pool_, std::move(ticket),
                           kMaxQueuedEvents, clock);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* FileManagerService::GetContent(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) {
  CallTracker::Ticket ticket = CallTracker::EnterIfAny(calls_);
  const RpcClock clock(series_.get_content);
  if (Status st = Admit(calls_, policy_, *ctx); !st.ok()) {
    clock.Record(st.code());
    return new RejectedWriteReactor<grpc::ByteBuffer>(st);
  }
  pb::GetContentRequest parsed;
  if (Status st = ParseMessage(*request, &parsed); !st.ok()) {
    clock.Record(st.code());
    return new RejectedWriteReactor<grpc::ByteBuffer>(st);
  }
  core::FileManager* core = core_;
  auto body = [core, request = std::move(parsed)](const CallContext& cc,
                                                  const StreamReactor::Emit& emit) {
    return core->GetContent(request, cc,
                            [&emit](const pb::ContentChunk& chunk) { return emit(chunk); });
  };
  return new StreamReactor("GetContent", ctx, std::move(body), pool_, std::move(ticket),
                           kMaxQueuedContentChunks, clock);
}

grpc::ServerReadReactor<grpc::ByteBuffer>* FileManagerService::Upload(
    grpc::CallbackServerContext* ctx, grpc::ByteBuffer* response) {
  CallTracker::Ticket ticket = CallTracker::EnterIfAny(calls_);
  const RpcClock clock(series_.upload);
  if (Status st = Admit(calls_, policy_, *ctx); !st.ok()) {
    clock.Record(st.code());
    return new RejectedReadReactor<grpc::ByteBuffer>(st);
  }
  return new UploadReactor(ctx, response, core_, pool_, std::move(ticket), clock);
}

}  // namespace archivum::api
