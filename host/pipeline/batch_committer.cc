#include "pipeline/batch_committer.h"

namespace archivum::pipeline {

Status BatchCommitter::Commit(std::vector<store::DocumentWrite>& writes,
                              const std::vector<Mark>& marks, FlushReport* report) {
  *report = FlushReport{};
  if (registry_ != nullptr) {
    std::lock_guard lock(flush_mu_);
    report->flush = registry_->Flush();
    if (!report->flush.ok()) flush_failures_.fetch_add(1, std::memory_order_release);
  }
  const uint64_t failures = flush_failures_.load(std::memory_order_acquire);
  for (size_t i = 0; i < writes.size(); ++i) {
    if (report->flush.ok() && marks[i] == failures) continue;
    if (report->flush.ok()) {
      if (report->exposed == 0) report->first_exposed = writes[i].document.path;
      ++report->exposed;
    }
    writes[i].document.signature.clear();
  }
  return catalog_->Commit(writes, {});
}

}  // namespace archivum::pipeline
