// FileManagerImpl: the FileManager API over the pipeline, the catalog and the plugins. Ingest and
// Upload run files through the pipeline (pipeline/) into the catalog; Analyze searches it
// (searcher.h); GetDocument and ListPlugins report what was recorded and loaded; ListQuarantine
// and ClearQuarantine read and clear the pipeline's quarantine (pipeline/quarantine.h).
//
// Thread safety: safe for concurrent calls. Concurrent ingests run side by side, each with its
// own workers; the catalog serializes their commits. At most ingest.max_concurrent Ingest,
// IngestStream and Upload calls run at once; more are refused with RESOURCE_EXHAUSTED.
//
// Live reload (Reconfigure): the plugins, the ingest.* settings and the query length limit form
// one snapshot, which each call takes when it begins and keeps until it ends. A reload swaps in a
// new snapshot for the calls that begin after it; calls in flight finish on the old one, which is
// destroyed (with its plugin registry, when the snapshot owns it) when the last of them returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

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
#include "watch/watcher.h"

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

  // What a live reload replaces. `registry` may be null (no plugins); the snapshot shares its
  // ownership, so it lives until the last call that began before the next reload returns.
  struct Settings {
    std::shared_ptr<const plugins::PluginRegistry> registry;
    config::Ingest ingest;
    size_t max_query_bytes = 4096;
  };
  // Puts `settings` in force for the calls that begin from now on (see the file comment); the
  // running-ingest limit (ingest.max_concurrent) changes at once, without revoking admissions.
  // Thread-safe; the catalog and quarantine stay the ones given to the constructor.
  void Reconfigure(Settings settings);
  // The plugins in force (may be null: none); the caller shares them while it holds the pointer.
  // Thread-safe.
  std::shared_ptr<const plugins::PluginRegistry> registry() const;

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
  // Reports the watcher set by SetWatcher; no roots without one.
  Status GetWatchStatus(const pb::GetWatchStatusRequest& request, const CallContext& ctx,
                        pb::WatchStatus* status) override;

  // Watch mode's ingest (watch::Watcher::IngestFn): an incremental ingest of `path` exactly as
  // Ingest runs it (confined to the roots, same limits, plugins, quarantine and catalog), except
  // that when ingest.max_concurrent calls are running it waits for one to finish (until `ctx` is
  // cancelled) instead of failing: a change must not be dropped because users are ingesting.
  // Errors as Ingest's (NOT_FOUND: the path is gone).
  Status IngestWatched(const std::filesystem::path& path, const CallContext& ctx,
                       pb::IngestSummary* summary);

  // The watcher GetWatchStatus reports, or null. It must stay valid (stopped or not) until it is
  // replaced or the service is destroyed. Safe to call while calls run.
  void SetWatcher(const watch::Watcher* watcher) { watcher_.store(watcher); }

  // The catalog path prefix of uploaded documents.
  static constexpr const char* kUploadPrefix = "upload:";
  // GetDocument returns at most this much of the text (GetDocumentRequest.text_bytes).
  static constexpr uint64_t kMaxDocumentTextBytes = 1 << 20;
  // GetDocument lists at most this many children (children_total counts them all); the
  // proto's comment on Document.children states the same number.
  static constexpr uint32_t kMaxListedChildren = 1000;

 private:
  // One snapshot of the plugins and limits (see Reconfigure), built from Settings.
  struct Engine;
  // The snapshot in force, for one call to hold until it returns.
  std::shared_ptr<Engine> engine() const;

  store::Catalog* catalog_;
  pipeline::Quarantine* const quarantine_;  // null: none kept
  metrics::Metrics* const metrics_;         // null: none kept
  mutable std::mutex engine_mu_;
  std::shared_ptr<Engine> engine_;  // guarded by engine_mu_; never null
  std::filesystem::path spool_dir_;
  AdmissionCounter ingests_;  // Ingest, IngestStream and Upload calls in progress
  std::atomic<const watch::Watcher*> watcher_{nullptr};
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
