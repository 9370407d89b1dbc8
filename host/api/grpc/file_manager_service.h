// aichemist_archivum.FileManager on gRPC's callback API, forwarding to the service core.
//
// Short calls (GetDocument, ListPlugins, and Analyze when FileService::IsShortAnalyze says so) run
// on gRPC's own thread and finish before the handler returns: a hop to a worker would cost more
// than the call. Every other call (Ingest, full-text Analyze, the streams) runs on `pool`, so it
// never blocks gRPC's threads. Exceptions from the core become INTERNAL rather than reaching gRPC.
// Every handler first checks the caller against the access policy and answers UNAUTHENTICATED,
// without touching the core, when it refuses. Analyze's request and response live on a per-call
// protobuf arena (arena_allocator.h). Thread safety: gRPC calls handlers concurrently; the
// service itself holds no mutable state.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "aichemist_archivum.grpc.pb.h"
#include "api/grpc/arena_allocator.h"
#include "auth/access_policy.h"
#include "core/file_service.h"

namespace archivum::api {

class FileManagerService final : public ::aichemist_archivum::FileManager::CallbackService {
 public:
  // `core` and `pool` must outlive the gRPC server this service is registered with.
  FileManagerService(core::FileService* core, boost::asio::thread_pool* pool,
                     auth::AccessPolicy policy = {})
      : core_(core), pool_(pool), policy_(std::move(policy)) {
    SetMessageAllocatorFor_Analyze(&analyze_allocator_);
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
  // Analyze's request and response on a per-call arena (a page of hits is many messages).
  ArenaMessageAllocator<::aichemist_archivum::AnalyzeRequest, ::aichemist_archivum::AnalyzeResponse>
      analyze_allocator_;
};

// The core's view of a gRPC call: deadline, cancellation and lower-cased metadata.
core::CallContext MakeCallContext(grpc::CallbackServerContext* ctx);

}  // namespace archivum::api
