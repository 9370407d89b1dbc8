// aichemist_archivum.FileManager on gRPC's callback API, forwarding to the service core.
//
// Short calls (GetDocument, ListPlugins, and Analyze when FileService::IsShortAnalyze says so) run
// on gRPC's own thread and finish before the handler returns: a hop to a worker would cost more
// than the call. Every other call (Ingest, full-text Analyze, the streams) runs on `pool`, so it
// never blocks gRPC's threads. Exceptions from the core become INTERNAL rather than reaching gRPC.
// Every handler first checks the caller against the access policy and answers UNAUTHENTICATED,
// without touching the core, when it refuses. Analyze's request and response live on a per-call
// protobuf arena (arena_allocator.h). With a CallTracker, every call is counted for its whole
// lifetime, and once the tracker is draining new calls are answered UNAVAILABLE (the daemon is
// shutting down). Thread safety: gRPC calls handlers concurrently; the service itself holds no
// mutable state.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "aichemist_archivum.grpc.pb.h"
#include "api/grpc/arena_allocator.h"
#include "api/grpc/call_tracker.h"
#include "auth/access_policy.h"
#include "core/file_service.h"

namespace archivum::api {

class FileManagerService final : public ::aichemist_archivum::FileManager::CallbackService {
 public:
  // `core`, `pool` and `calls` (null: nothing counted) must outlive the gRPC server this service
  // is registered with.
  FileManagerService(core::FileService* core, boost::asio::thread_pool* pool,
                     auth::AccessPolicy policy = {}, CallTracker* calls = nullptr)
      : core_(core),
        pool_(pool),
        policy_(std::move(policy)),
        calls_(calls),
        ingest_allocator_(calls),
        analyze_allocator_(calls),
        get_document_allocator_(calls),
        list_plugins_allocator_(calls) {
    SetMessageAllocatorFor_Ingest(&ingest_allocator_);
    SetMessageAllocatorFor_Analyze(&analyze_allocator_);
    SetMessageAllocatorFor_GetDocument(&get_document_allocator_);
    SetMessageAllocatorFor_ListPlugins(&list_plugins_allocator_);
  }

  grpc::ServerUnaryReactor* Ingest(grpc::CallbackServerContext* ctx,
                                   const ::aichemist_archivum::IngestRequest* request,
                                   ::aichemist_archivum::IngestSummary* response) override;
  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* ctx,
                                    const ::aichemist_archivum::AnalyzeRequest* request,
                                    ::aichemist_archivum::AnalyzeResponse* response) override;
  grpc::ServerWriteReactor<::aichemist_archivum::IngestEvent>* IngestStream(
      grpc::CallbackServerContext* ctx,
      const ::aichemist_archivum::IngestRequest* request) override;
  grpc::ServerReadReactor<::aichemist_archivum::UploadChunk>* Upload(
      grpc::CallbackServerContext* ctx, ::aichemist_archivum::IngestSummary* response) override;
  grpc::ServerUnaryReactor* GetDocument(grpc::CallbackServerContext* ctx,
                                        const ::aichemist_archivum::GetDocumentRequest* request,
                                        ::aichemist_archivum::Document* response) override;
  grpc::ServerUnaryReactor* ListPlugins(
      grpc::CallbackServerContext* ctx, const ::aichemist_archivum::ListPluginsRequest* request,
      ::aichemist_archivum::ListPluginsResponse* response) override;

 private:
  core::FileService* core_;
  boost::asio::thread_pool* pool_;
  const auth::AccessPolicy policy_;
  CallTracker* const calls_;
  // Each unary call's request and response on a per-call arena (a page of hits is many
  // messages); the holders also count the calls.
  ArenaMessageAllocator<::aichemist_archivum::IngestRequest, ::aichemist_archivum::IngestSummary>
      ingest_allocator_;
  ArenaMessageAllocator<::aichemist_archivum::AnalyzeRequest, ::aichemist_archivum::AnalyzeResponse>
      analyze_allocator_;
  ArenaMessageAllocator<::aichemist_archivum::GetDocumentRequest, ::aichemist_archivum::Document>
      get_document_allocator_;
  ArenaMessageAllocator<::aichemist_archivum::ListPluginsRequest,
                        ::aichemist_archivum::ListPluginsResponse>
      list_plugins_allocator_;
};

// The core's view of a gRPC call: deadline, cancellation and lower-cased metadata.
core::CallContext MakeCallContext(grpc::CallbackServerContext* ctx);

}  // namespace archivum::api
