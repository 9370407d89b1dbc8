// The "Document corpus" table of archivum_bench_report: the generated corpus (bench/documents)
// ingested by archivumd and by recollindex, side by side, and the recall of the same sample of
// marker words from both.
//
// Thread safety: not safe for concurrent use; Build() once, then the const accessors.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "report/figures.h"

namespace archivum::bench::report {

class DocumentsTable {
 public:
  // Reads the documents_* fragments of `f`, which must outlive this object.
  explicit DocumentsTable(const Fragments& f) : f_(f) {}

  // Computes the rows and the targets and puts the figures into `results`.
  void Build(json& results);
  // The table in Markdown, after `header` (the run's description when there is no other
  // table; may be empty), with the count of its targets under it.
  std::string Markdown(const std::string& header) const;
  const std::deque<Target>& targets() const { return targets_; }

 private:
  struct Row {
    std::string measure;
    std::string archivum;
    std::string recoll;
    std::string comparison;
    const Target* target;
  };
  void Add(std::string measure, std::string archivum, std::string recoll,
           std::string comparison = "", const Target* target = nullptr);
  // The recall figures of one tool (fragment documents_recall_TOOL), into `out`.
  json Recall(const std::string& tool) const;

  const Fragments& f_;
  std::string caption_;
  std::vector<Row> rows_;
  std::deque<Target> targets_;  // deque: rows keep pointers to its elements
};

}  // namespace archivum::bench::report
