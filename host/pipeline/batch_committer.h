// The one rule for cataloging analyzed documents, used by every path that catalogs them (ingest
// batches, uploads): flush the plugins, then commit.
//
// What a plugin keeps of its own for a document (the similar plugin's signatures) must be
// durable before the catalog records the document as analyzed, because a cataloged, unchanged
// file is not analyzed again. So Commit first flushes every plugin (PluginRegistry::Flush), then
// writes the batch in one transaction. A document whose plugin state may have been lost is
// cataloged with its results but without its signature, so that whatever visits it next
// analyzes it again: that is every document of a batch whose flush failed, and every document
// whose analysis overlapped a failed flush of any batch (a plugin commits its own batches: the
// similar plugin's open transaction holds the next batch's signatures too, so one failure may
// take other documents' state with it). The latter is conservative: the failure may have come
// after the document's state was already durable.
//
// Thread safety: safe for concurrent use. Flushes are serialized, so that a flush that succeeds
// after a failed one is seen to follow the failure's count.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "plugins/registry.h"
#include "store/catalog.h"

namespace archivum::pipeline {

class BatchCommitter {
 public:
  // A mark taken before a document's analysis begins (the failed flushes so far).
  using Mark = uint64_t;

  // What the plugins' flush did for one batch.
  struct FlushReport {
    // The batch's own flush: not OK means every document of the batch was cataloged unsigned.
    Status flush;
    // When the flush succeeded: how many documents were cataloged unsigned because a flush
    // failed while they were being analyzed, and the path of the first of them.
    size_t exposed = 0;
    std::string first_exposed;
  };

  // Both must outlive the committer; `registry` may be null (no plugins, nothing to flush).
  BatchCommitter(store::Catalog* catalog, const plugins::PluginRegistry* registry)
      : catalog_(catalog), registry_(registry) {}

  // Take before analyzing a document; pass to Commit with the document's writes.
  Mark BeginAnalysis() const { return flush_failures_.load(std::memory_order_acquire); }

  // Flushes the plugins, then commits `writes` (clearing the signature of every document whose
  // plugin state may be lost, see the file comment). `marks[i]` is the BeginAnalysis() taken
  // before writes[i]'s analysis began; marks.size() == writes.size(). Fills `report` and returns
  // the commit's status (the catalog's error; a failed flush is reported, not returned: the
  // results are real and are cataloged all the same).
  Status Commit(std::vector<store::DocumentWrite>& writes, const std::vector<Mark>& marks,
                FlushReport* report);

 private:
  store::Catalog* const catalog_;
  const plugins::PluginRegistry* const registry_;
  std::mutex flush_mu_;                      // serializes the flushes
  std::atomic<uint64_t> flush_failures_{0};  // failed flushes so far; written under flush_mu_
};

}  // namespace archivum::pipeline
