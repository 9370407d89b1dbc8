// Analyze: parses the query language (query/parser.h), evaluates its catalog part in the store
// and dispatches its verbs (e.g. similar:PATH) to the plugins that register them, then merges.
//
// Merging: each verb yields a set of paths with scores; a document must be in every verb's set
// and, if the query has catalog terms too, match them (verbs narrow, terms filter). Verb hits for
// documents no longer cataloged are dropped. Merged hits are ordered by the verb's score (the
// verb's own order: e.g. most similar first), or with a sort other than relevance by that key
// with the verb's score breaking ties (the merged hits are at most kMaxVerbCandidates, so they
// are sorted here); their facets are the store's counts of the merged set (Catalog::Facets).
//
// Sort and facets: AnalyzeRequest.sort and .facets become SearchOptions for the store; a sort
// number the enum does not name is INVALID_ARGUMENT.
//
// Thread safety: safe for concurrent use.
#pragma once

#include "core/file_manager.h"
#include "plugins/registry.h"
#include "query/parser.h"
#include "store/catalog.h"

namespace archivum::core {

class Searcher {
 public:
  static constexpr uint32_t kDefaultLimit = 20;
  static constexpr uint32_t kMaxLimit = 1000;
  // Catalog matches considered when intersecting with verb hits.
  static constexpr uint32_t kMaxVerbCandidates = 10000;

  // Both must outlive the searcher. Queries longer than `max_query_bytes` are refused.
  // The parse options (verbs registered by the plugins) are fixed here: the registry does not
  // change after load, so queries need not rebuild them.
  Searcher(store::Catalog* catalog, const plugins::PluginRegistry* registry,
           size_t max_query_bytes = 4096);

  // Errors: INVALID_ARGUMENT (empty, too long or malformed query, with the column), and whatever
  // a verb's plugin answers (NOT_FOUND for an unknown subject, ...).
  Status Analyze(const pb::AnalyzeRequest& request, pb::AnalyzeResponse* response) const;

 private:
  store::Catalog* catalog_;
  const plugins::PluginRegistry* registry_;
  size_t max_query_bytes_;
  query::ParseOptions parse_options_;
};

}  // namespace archivum::core
