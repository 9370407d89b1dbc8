// FileManager: the API's service (proto service aichemist_archivum.FileManager) as every
// transport calls it: gRPC (api/grpc), the JSON/HTTP gateway (api/http) and in-process tests.
//
// Requests and responses are the API's own proto messages, so transports map them without glue.
// Each method validates its request, does the work on the calling thread and returns a Status
// whose code is the one the client sees. On a non-OK status the response's content is
// unspecified. Transports call from a worker pool, except for GetDocument, ListPlugins,
// ListQuarantine, GetWatchStatus and the Analyze calls AnalyzeMayRunOnIoThread accepts, which they
// may run on their I/O threads to save the thread hop; such calls never wait on anything but the
// catalog's reads.
//
// Thread safety: implementations are safe for concurrent calls.
#pragma once

#include <functional>

#include "aichemist_archivum.pb.h"
#include "common/call_context.h"
#include "common/status.h"
#include "pipeline/ingest_run.h"

namespace archivum::core {

namespace pb = ::aichemist_archivum;

// The bytes of one Upload call, pulled by the core. Implemented by each transport.
class UploadReader {
 public:
  virtual ~UploadReader() = default;
  // Blocks for the next message; false at the end of the stream (or if the client went away,
  // or the next message could not be read: see error()).
  virtual bool Next(pb::UploadChunk* chunk) = 0;
  // Why the stream ended early, once Next has returned false: not OK if a message was malformed
  // (the upload must then be refused, not taken as complete). OK at the end of the stream.
  virtual Status error() const { return Status::Ok(); }
};

class FileManager {
 public:
  virtual ~FileManager() = default;

  // Receives progress events; returns false to stop the ingest (client went away).
  using EventSink = pipeline::IngestEventSink;

  virtual Status Ingest(const pb::IngestRequest& request, const CallContext& ctx,
                        pb::IngestSummary* summary) = 0;
  // Like Ingest; `sink` is called once per file, on the calling thread.
  virtual Status IngestStream(const pb::IngestRequest& request, const CallContext& ctx,
                              const EventSink& sink, pb::IngestSummary* summary) = 0;
  // The first message must carry the header; the data follows in order. The document is
  // analyzed like a file and cataloged as "upload:<name>".
  virtual Status Upload(UploadReader& reader, const CallContext& ctx,
                        pb::IngestSummary* summary) = 0;
  virtual Status Analyze(const pb::AnalyzeRequest& request, const CallContext& ctx,
                         pb::AnalyzeResponse* response) = 0;
  virtual Status GetDocument(const pb::GetDocumentRequest& request, const CallContext& ctx,
                             pb::Document* document) = 0;
  // The document's thumbnail. NOT_FOUND if the document is not cataloged or has none.
  virtual Status GetThumbnail(const pb::GetThumbnailRequest& request, const CallContext& ctx,
                              pb::Thumbnail* thumbnail) = 0;
  // Receives GetContent's messages in order, on the calling thread; returns false to stop (the
  // client went away).
  using ContentSink = std::function<bool(const pb::ContentChunk&)>;
  // Streams a cataloged document's content (the proto's GetContent contract): the header first,
  // then the bytes in order. `sink` gets nothing if the call fails before the first byte is
  // known to be readable; after the header, a failure (e.g. DATA_LOSS when the bytes do not match
  // the cataloged SHA-256) is reported before the last data message is sent, so a client that
  // counts bytes sees the content cut short. The default answers UNIMPLEMENTED.
  virtual Status GetContent(const pb::GetContentRequest& request, const CallContext& ctx,
                            const ContentSink& sink) {
    (void)request;
    (void)ctx;
    (void)sink;
    return Unimplemented("GetContent is not implemented by this server");
  }
  virtual Status ListPlugins(const pb::ListPluginsRequest& request, const CallContext& ctx,
                             pb::ListPluginsResponse* response) = 0;
  // The quarantine, newest first.
  virtual Status ListQuarantine(const pb::ListQuarantineRequest& request, const CallContext& ctx,
                                pb::ListQuarantineResponse* response) = 0;
  // Removes the quarantine entries matching both filters (empty: any). INVALID_ARGUMENT for a
  // sha256 that is neither empty nor 64 hex digits.
  virtual Status ClearQuarantine(const pb::ClearQuarantineRequest& request, const CallContext& ctx,
                                 pb::ClearQuarantineResponse* response) = 0;

  // Watch mode's state (config ingest.watch): each watched root, its state, the changes waiting
  // and the last rescan. Reads memory only. The default answers with no roots (nothing watched).
  virtual Status GetWatchStatus(const pb::GetWatchStatusRequest& request, const CallContext& ctx,
                                pb::WatchStatus* status) {
    (void)request;
    (void)ctx;
    (void)status;
    return Status::Ok();
  }

  // True if Analyze(request) may run on a transport's I/O thread: it is known to be bounded index
  // lookups only, with no full-text ranking and no plugin work. Must be cheap (no I/O), must not
  // throw, and must be safe from any thread. The default, false, sends every Analyze to a
  // worker.
  virtual bool AnalyzeMayRunOnIoThread(const pb::AnalyzeRequest& request) const {
    (void)request;
    return false;
  }
};

}  // namespace archivum::core
