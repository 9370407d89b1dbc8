// aichemist_archivum.FileManager on gRPC's callback API, forwarding to the service core.
//
// Short calls (GetDocument, ListPlugins, ListQuarantine, and Analyze when
// FileManager::AnalyzeMayRunOnIoThread says so) run on gRPC's own thread and finish before the
// handler returns: a hop to a worker would cost more than the call. Every other call (Ingest,
// full-text Analyze, the streams) runs on `pool`, so it never blocks gRPC's threads. Exceptions
// from the core become INTERNAL rather than reaching gRPC. Every handler first checks the caller
// against the access policy and answers UNAUTHENTICATED, without touching the core, when it
// refuses. With a CallTracker, every call is counted for its whole lifetime, and once the tracker
// is draining new calls are answered UNAVAILABLE (the daemon is shutting down).
//
// Every method takes its messages as raw bytes and parses them here: a request (or an upload
// chunk) that is not a valid message (malformed protobuf, a string field that is not UTF-8) is
// answered INVALID_ARGUMENT, saying so. gRPC's typed callback handlers (1.51) would answer a
// request UNIMPLEMENTED with no message, and end an upload at a malformed chunk as if it were
// complete. Each unary call's request and response live on a per-call protobuf arena
// (raw_unary_call.h).
//
// Thread safety: gRPC calls handlers concurrently; the service itself holds no mutable state.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "aichemist_archivum.grpc.pb.h"
#include "api/grpc/call_tracker.h"
#include "auth/access_policy.h"
#include "core/file_manager.h"
#include "metrics/metrics.h"

namespace archivum::api {

namespace internal {
namespace pb = ::aichemist_archivum;
// The generated service with every method on raw bytes.
using FileManagerBase =
    pb::FileManager::WithRawCallbackMethod_Ingest<pb::FileManager::WithRawCallbackMethod_Analyze<
        pb::FileManager::WithRawCallbackMethod_IngestStream<
            pb::FileManager::WithRawCallbackMethod_Upload<
                pb::FileManager::WithRawCallbackMethod_GetDocument<
                    pb::FileManager::WithRawCallbackMethod_GetThumbnail<
                        pb::FileManager::WithRawCallbackMethod_ListPlugins<
                            pb::FileManager::WithRawCallbackMethod_ListQuarantine<
                                pb::FileManager::WithRawCallbackMethod_ClearQuarantine<
                                    pb::FileManager::WithRawCallbackMethod_GetContent<
                                        pb::FileManager::WithRawCallbackMethod_GetWatchStatus<
                                            pb::FileManager::Service>>>>>>>>>>>;
}  // namespace internal

class FileManagerService final : public internal::FileManagerBase {
 public:
  // `core`, `pool`, `calls` (null: nothing counted) and `metrics` (null: no metrics) must outlive
  // the gRPC server this service is registered with. With metrics, every call's duration is
  // recorded with the status it ends with (archivum_rpc_duration_seconds, transport "grpc"),
  // refused calls included.
  FileManagerService(core::FileManager* core, boost::asio::thread_pool* pool,
                     auth::AccessPolicy policy = {}, CallTracker* calls = nullptr,
                     metrics::Metrics* metrics = nullptr);

  grpc::ServerUnaryReactor* Ingest(grpc::CallbackServerContext* ctx,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* IngestStream(
      grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetContent(grpc::CallbackServerContext* ctx,
                                                         const grpc::ByteBuffer* request) override;
  grpc::ServerReadReactor<grpc::ByteBuffer>* Upload(grpc::CallbackServerContext* ctx,
                                                    grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetDocument(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetThumbnail(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListPlugins(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListQuarantine(grpc::CallbackServerContext* ctx,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ClearQuarantine(grpc::CallbackServerContext* ctx,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetWatchStatus(grpc::CallbackServerContext* ctx,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;

 private:
  core::FileManager* core_;
  boost::asio::thread_pool* pool_;
  const auth::AccessPolicy policy_;
  CallTracker* const calls_;
  // Each method's metrics series; all null without metrics.
  struct Series {
    metrics::RpcSeries* ingest = nullptr;
    metrics::RpcSeries* analyze = nullptr;
    metrics::RpcSeries* ingest_stream = nullptr;
    metrics::RpcSeries* get_content = nullptr;
    metrics::RpcSeries* upload = nullptr;
    metrics::RpcSeries* get_document = nullptr;
    metrics::RpcSeries* get_thumbnail = nullptr;
    metrics::RpcSeries* list_plugins = nullptr;
    metrics::RpcSeries* list_quarantine = nullptr;
    metrics::RpcSeries* clear_quarantine = nullptr;
    metrics::RpcSeries* get_watch_status = nullptr;
  };
  const Series series_;
};

// The core's view of a gRPC call: deadline, cancellation and lower-cased metadata.
CallContext MakeCallContext(grpc::CallbackServerContext* ctx);

}  // namespace archivum::api
