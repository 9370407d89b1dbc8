// The foundation's service core: walks paths into the catalog and answers path queries.
//
// Ingest records every regular file (path, size, mtime) under a resolved path, counts unchanged
// files, and drops catalog entries for files that vanished. Analyze matches query words against
// paths. The analyzer pipeline replaces both behind the same FileService interface.
//
// Thread safety: safe for concurrent calls; the catalog serializes writes.
#pragma once

#include <functional>
#include <memory>

#include "config/config.h"
#include "core/file_service.h"
#include "core/roots.h"
#include "store/catalog.h"

namespace archivum::core {

class CatalogService final : public FileService {
 public:
  // Fills a ListPlugins response; may be empty (no plugin support).
  using PluginLister = std::function<void(api::ListPluginsResponse*)>;

  // `catalog` must outlive the service. `ingest` supplies roots and limits.
  CatalogService(store::Catalog* catalog, const config::Ingest& ingest, PluginLister plugins);

  Status Ingest(const api::IngestRequest& request, const CallContext& ctx,
                api::IngestSummary* summary) override;
  Status IngestStream(const api::IngestRequest& request, const CallContext& ctx,
                      const EventSink& sink, api::IngestSummary* summary) override;
  Status Analyze(const api::AnalyzeRequest& request, const CallContext& ctx,
                 api::AnalyzeResponse* response) override;
  Status GetDocument(const api::GetDocumentRequest& request, const CallContext& ctx,
                     api::Document* document) override;
  Status ListPlugins(const api::ListPluginsRequest& request, const CallContext& ctx,
                     api::ListPluginsResponse* response) override;

  static constexpr uint32_t kDefaultLimit = 20;
  static constexpr uint32_t kMaxLimit = 1000;

 private:
  store::Catalog* catalog_;
  config::Ingest ingest_;
  Roots roots_;
  PluginLister plugins_;
};

}  // namespace archivum::core
