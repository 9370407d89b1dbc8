// FileManagerImpl: the FileManager API over the pipeline, the catalog and the plugins. Ingest and
// Upload run files through the pipeline (pipeline/) into the catalog; Analyze searches it
// (searcher.h); GetDocument and ListPlugins report what was recorded and loaded; ListQuarantine
// and ClearQuarantine read and clear the pipeline's quarantine (pipeline/quarantine.h).
//
// Thread safety: safe for concurrent calls. Concurrent ingests run side by side, each with its
// own workers; the catalog serializes their commits. At most ingest.max_concurrent Ingest,
// IngestStream and Upload calls run at once; more are refused with RESOURCE_EXHAUSTED.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/coalescing_worker.h"
#include "config/config.h"
#include "core/admission.h"
#include "core/content_reader.h"
#include "core/file_manager.h"
#include "core/searcher.h"
#include "metrics/metrics.h"
#include "os/roots.h"
#include "pipeline/batch_committer.h"
#include "pipeline/document_analyzer.h"
#include "pipeline/quarantine.h"
#include "plugins/registry.h"
#include "store/catalog.h"

namespace archivum::core {

class FileManagerImpl final : public FileManager {
 public:
  // `catalog`, `registry` and `quarantine` must outlive the service; `registry` may be null (no
  // plugins), and so may `quarantine` (ListQuarantine and ClearQuarantine then answer
  // FAILED_PRECONDITION, and ListPlugins counts nothing quarantined). Uploads are spooled under
  // `spool_dir`. Analyze refuses queries longer than `max_query_bytes` (server.max_query_length).
  // `metrics` (may be null; must outlive the service) counts the ingests' and uploads' files.
  FileManagerImpl(store::Catalog* catalog, const plugins::PluginRegistry* registry,
                  const config::Ingest& ingest, std::filesystem::path spool_dir,
                  size_t max_query_bytes = 4096, pipeline::Quarantine* quarantine = nullptr,
                  metrics::Metrics* metrics = nullptr);

  Status Ingest(const pb::IngestRequest& request, const CallContext& ctx,
                pb::IngestSummary* summary) override;
  Status IngestStream(const pb::IngestRequest& request, const CallContext& ctx,
                      const EventSink& sink, pb::IngestSummary* summary) override;
  Status Upload(UploadReader& reader, const CallContext& ctx, pb::IngestSummary* summary) override;
  Status Analyze(const pb::AnalyzeRequest& request, const CallContext& ctx,
                 pb::AnalyzeResponse* response) override;
  Status GetThumbnail(const pb::GetThumbnailRequest& request, const CallContext& ctx,
                      pb::Thumbnail* thumbnail) override;
  Status GetDocument(const pb::GetDocumentRequest& request, const CallContext& ctx,
                     pb::Document* document) override;
  // See ContentReader (content_reader.h).
  Status GetContent(const pb::GetContentRequest& request, const CallContext& ctx,
                    const ContentSink& sink) override;
  Status ListPlugins(const pb::ListPluginsRequest& request, const CallContext& ctx,
                     pb::ListPluginsResponse* response) override;
  Status ListQuarantine(const pb::ListQuarantineRequest& request, const CallContext& ctx,
                        pb::ListQuarantineResponse* response) override;
  Status ClearQuarantine(const pb::ClearQuarantineRequest& request, const CallContext& ctx,
                         pb::ClearQuarantineResponse* response) override;
  // True for a query that is one exact lookup: a single `sha256:HEX` or `path:DIR` filter (field
  // name in any case, surrounding whitespace allowed). Both are index lookups bounded by the
  // limit; anything else (words, several terms, quotes, verbs), and any request for facets or
  // an order other than relevance (which read the whole result set), is not.
  bool AnalyzeMayRunOnIoThread(const pb::AnalyzeRequest& request) const override;

  // The catalog path prefix of uploaded documents.
  static constexpr const char* kUploadPrefix = "upload:";
  // GetDocument returns at most this much of the text (GetDocumentRequest.text_bytes).
  static constexpr uint64_t kMaxDocumentTextBytes = 1 << 20;
  // GetDocument lists at most this many children (children_total counts them all); the
  // proto's comment on Document.children states the same number.
  static constexpr uint32_t kMaxListedChildren = 1000;

 private:
  store::Catalog* catalog_;
  const plugins::PluginRegistry* registry_;
  pipeline::Quarantine* const quarantine_;  // null: none kept
  metrics::Metrics* const metrics_;         // null: none kept
  config::Ingest ingest_;
  os::Roots roots_;
  pipeline::DocumentAnalyzer analyzer_;
  pipeline::BatchCommitter committer_;
  Searcher searcher_;
  ContentReader content_;  // after roots_, which it borrows
  std::filesystem::path spool_dir_;
  AdmissionCounter ingests_;  // Ingest, IngestStream and Upload calls in progress
  // An ingest that saw at least this many files, or analyzed this many bytes, is followed by a
  // trim of the free heap when no other ingest runs: a smaller one frees too little to be worth
  // a pass over every arena.
  static constexpr uint64_t kTrimAfterFiles = 1000;
  static constexpr uint64_t kTrimAfterBytes = uint64_t{32} << 20;
  // Runs os::ReleaseFreeHeap off the request path; its thread starts with the first large
  // ingest. Last: it stops before the rest goes.
  CoalescingWorker heap_trimmer_;
};

}  // namespace archivum::core
