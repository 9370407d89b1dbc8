// A FileManager with canned answers for the gateway's tests, recording what each call received.
//
// Canned behaviour (one place, so tests read as specifications):
//   Any request whose path/query is "status:N" fails with gRPC code N ("canned error N").
//   Ingest       → CannedSummary() (filesSeen 3, filesIngested 2, bytesIngested 42).
//   Analyze      query "empty" → an empty response; "hang" → opens hang_started(), waits until the
//                call is cancelled (bounded), then opens hang_cancelled(); otherwise results
//                ["/a/<query>", "/b/<query>"] with hits, limit echoed in total. Queries starting
//                "short:" are declared short (AnalyzeMayRunOnIoThread), so the gateway runs them on
//                its I/O thread; "short:empty" → an empty response.
//   GetDocument  → a document with the requested path, size 7, sha256 "abc".
//   GetThumbnail → an image/png of the 8 bytes of the PNG signature.
//   ListPlugins  → two plugins ("text" LOADED, "broken" FAILED).
//   ListQuarantine → one entry (sha256 "aaa...a", text@1.0, "crashed: SIGSEGV", /data/bad.txt).
//   ClearQuarantine plugin "status:N" → that error; otherwise cleared 3 without filters, else 1.
//   IngestStream path "/stream/N" → N events; after the first it waits for first_read() to open
//                (bounded), so a test can prove the first line was flushed on its own.
//                "/stream/fail" → 2 events then INTERNAL "disk on fire".
//                "/stream/endless" → events until the sink returns false; then sink_stopped()
//                opens.
//   Upload       reads every chunk and answers bytesIngested = bytes received; name "reject"
//                → RESOURCE_EXHAUSTED right after the header, without reading the data.
//                upload_recorded() opens once the record is stored.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/file_manager.h"

namespace archivum::http_testing {

namespace pb = ::aichemist_archivum;

// A one-shot gate: Open() once, WaitFor() until open or a (generous) timeout.
class Gate {
 public:
  void Open();
  bool WaitFor(std::chrono::milliseconds timeout);
  bool is_open() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;  // guarded by mu_
};

// What the last Upload received.
struct UploadRecord {
  std::string name;
  uint64_t declared_size = 0;
  uint64_t bytes = 0;
  int data_chunks = 0;
  bool cancelled = false;
};

pb::IngestSummary CannedSummary();

class FakeFileManager final : public core::FileManager {
 public:
  Status Ingest(const pb::IngestRequest& request, const CallContext& ctx,
                pb::IngestSummary* summary) override;
  Status IngestStream(const pb::IngestRequest& request, const CallContext& ctx,
                      const EventSink& sink, pb::IngestSummary* summary) override;
  Status Upload(core::UploadReader& reader, const CallContext& ctx,
                pb::IngestSummary* summary) override;
  Status Analyze(const pb::AnalyzeRequest& request, const CallContext& ctx,
                 pb::AnalyzeResponse* response) override;
  bool AnalyzeMayRunOnIoThread(const pb::AnalyzeRequest& request) const override;
  Status GetDocument(const pb::GetDocumentRequest& request, const CallContext& ctx,
                     pb::Document* document) override;
  Status GetThumbnail(const pb::GetThumbnailRequest& request, const CallContext& ctx,
                      pb::Thumbnail* thumbnail) override;
  Status ListPlugins(const pb::ListPluginsRequest& request, const CallContext& ctx,
                     pb::ListPluginsResponse* response) override;
  Status ListQuarantine(const pb::ListQuarantineRequest& request, const CallContext& ctx,
                        pb::ListQuarantineResponse* response) override;
  Status ClearQuarantine(const pb::ClearQuarantineRequest& request, const CallContext& ctx,
                         pb::ClearQuarantineResponse* response) override;

  Gate& first_read() { return first_read_; }
  Gate& sink_stopped() { return sink_stopped_; }
  Gate& hang_started() { return hang_started_; }
  Gate& hang_cancelled() { return hang_cancelled_; }
  // Opens when an Upload call has recorded what it received (see last_upload()).
  Gate& upload_recorded() { return upload_recorded_; }

  std::optional<pb::AnalyzeRequest> last_analyze() const;
  std::optional<pb::IngestRequest> last_ingest() const;
  std::optional<pb::GetDocumentRequest> last_get() const;
  std::optional<pb::ClearQuarantineRequest> last_clear() const;
  std::optional<UploadRecord> last_upload() const;
  // Metadata and deadline of the last call of any kind.
  std::multimap<std::string, std::string> last_metadata() const;
  std::chrono::system_clock::time_point last_deadline() const;

 private:
  void Record(const CallContext& ctx);

  Gate first_read_;
  Gate sink_stopped_;
  Gate hang_started_;
  Gate hang_cancelled_;
  Gate upload_recorded_;
  mutable std::mutex mu_;
  std::optional<pb::AnalyzeRequest> last_analyze_;        // guarded by mu_
  std::optional<pb::IngestRequest> last_ingest_;          // guarded by mu_
  std::optional<pb::GetDocumentRequest> last_get_;        // guarded by mu_
  std::optional<pb::ClearQuarantineRequest> last_clear_;  // guarded by mu_
  std::optional<UploadRecord> last_upload_;               // guarded by mu_
  std::multimap<std::string, std::string> metadata_;      // guarded by mu_
  std::chrono::system_clock::time_point deadline_;        // guarded by mu_
};

}  // namespace archivum::http_testing
