// One ingest of one path: walk, analyze changed files in parallel, commit in batches, report.
//
// The calling thread walks; files whose size, mtime and plugin signature match the catalog are
// unchanged and not re-read, and the others go to `ingest.workers` threads as the walk finds
// them. Nothing is cataloged or reported before the walk has ended, so the request limits fail
// a run with the catalog untouched and progress events carry the total. Then the calling thread
// commits results in batches (one transaction each, so a crash leaves the catalog consistent and
// a re-ingest completes the rest) and emits one event per file. Catalog entries under the path
// whose files are gone are removed, except below directories that could not be read this time.
//
// Memory: results waiting to be committed are bounded in bytes; file contents are mapped, and
// dropped from memory after analysis.
// Thread safety: one IngestRun per call; Run is called once.
#pragma once

#include <filesystem>
#include <functional>

#include "aichemist_archivum.pb.h"
#include "common/call_context.h"
#include "config/config.h"
#include "metrics/metrics.h"
#include "pipeline/batch_committer.h"
#include "pipeline/document_analyzer.h"
#include "store/catalog.h"

namespace archivum::pipeline {

namespace pb = ::aichemist_archivum;

// Receives progress events; returns false to stop the ingest (the client went away).
using IngestEventSink = std::function<bool(const pb::IngestEvent&)>;

class IngestRun {
 public:
  // Everything referenced must outlive Run. `sink` may be empty. `metrics` (may be null) counts
  // every file's outcome as it is reported, and the bytes of the files ingested.
  IngestRun(store::Catalog* catalog, const DocumentAnalyzer* analyzer, BatchCommitter* committer,
            const config::Ingest& limits, const CallContext& ctx, const IngestEventSink& sink,
            pb::IngestSummary* summary, metrics::Metrics* metrics = nullptr);

  // Ingests `root` (resolved, absolute). Cancellation and deadline stop the run after committing
  // what was finished; the status then says so.
  Status Run(const std::filesystem::path& root);

 private:
  struct Impl;
  store::Catalog* catalog_;
  const DocumentAnalyzer* analyzer_;
  BatchCommitter* committer_;
  const config::Ingest& limits_;
  const CallContext& ctx_;
  const IngestEventSink& sink_;
  pb::IngestSummary* summary_;
  metrics::Metrics* metrics_;
};

}  // namespace archivum::pipeline
