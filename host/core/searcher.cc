#include "core/searcher.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/proto_mapping.h"
#include "query/parser.h"

namespace archivum::core {
namespace {

struct Candidate {
  double score = 0;
  std::vector<store::FindingRecord> findings;
};

}  // namespace

Searcher::Searcher(store::Catalog* catalog, const plugins::PluginRegistry* registry,
                   size_t max_query_bytes)
    : catalog_(catalog), registry_(registry), max_query_bytes_(max_query_bytes) {
  parse_options_.max_query_bytes = max_query_bytes_;
  if (registry_) {
    for (auto& v : registry_->QueryVerbs()) parse_options_.verbs.insert(std::move(v));
  }
}

Status Searcher::Analyze(const pb::AnalyzeRequest& request, pb::AnalyzeResponse* response) const {
  if (request.query().find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("query is empty; send at least one word or filter");
  }
  if (request.query().size() > max_query_bytes_) {
    return InvalidArgument("the query is " + std::to_string(request.query().size()) +
                           " bytes; at most " + std::to_string(max_query_bytes_) +
                           " are allowed (server.max_query_length)");
  }
  auto parsed = query::Parse(request.query(), parse_options_);
  if (!parsed.ok()) return parsed.status();
  const uint32_t limit =
      std::min(request.limit() == 0 ? kDefaultLimit : request.limit(), kMaxLimit);

  if (parsed->verbs.empty()) {
    auto found = catalog_->Search(*parsed, limit, request.offset());
    if (!found.ok()) return found.status();
    response->set_total(found->total);
    AppendHits(found->hits.begin(), found->hits.end(), response);
    return Status::Ok();
  }

  // Every verb narrows the candidates.
  std::map<std::string, Candidate> candidates;
  bool first = true;
  for (const auto& call : parsed->verbs) {
    auto hits = registry_->Query(call.verb, call.argument);
    if (!hits.ok()) return hits.status();
    std::map<std::string, Candidate> next;
    for (const auto& h : *hits) {
      if (!first && !candidates.count(h.path)) continue;
      Candidate& c = next[h.path];
      c.score = first ? h.score : std::min(candidates[h.path].score, h.score);
      if (!first) c.findings = candidates[h.path].findings;
      c.findings.push_back({h.plugin, call.verb, h.detail});
    }
    candidates = std::move(next);
    first = false;
  }

  std::vector<store::SearchHit> merged;
  if (parsed->where) {
    // Only the paths matter here (verb hits carry their own scores), so no snippets, and the
    // metadata is read for the page alone below.
    store::SearchOptions options;
    options.snippets = false;
    options.metadata = false;
    auto found = catalog_->Search(*parsed, kMaxVerbCandidates, 0, options);
    if (!found.ok()) return found.status();
    for (auto& h : found->hits) {
      auto it = candidates.find(h.document.path);
      if (it == candidates.end()) continue;
      h.score = it->second.score;
      h.snippet.clear();
      for (auto& f : it->second.findings) h.findings.push_back(std::move(f));
      merged.push_back(std::move(h));
    }
  } else {
    for (auto& [path, c] : candidates) {
      auto doc = catalog_->Get(path);
      if (!doc.ok()) return doc.status();
      if (!doc->has_value()) continue;  // the plugin remembers a document that is gone
      store::SearchHit h;
      h.document = std::move((*doc)->document);
      h.score = c.score;
      h.findings = std::move(c.findings);
      merged.push_back(std::move(h));
    }
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score > b.score : a.document.path < b.document.path;
  });
  response->set_total(merged.size());
  const size_t begin = std::min<size_t>(request.offset(), merged.size());
  const size_t end = std::min<size_t>(begin + limit, merged.size());
  std::vector<std::string> page;
  for (size_t i = begin; i < end; ++i) page.push_back(merged[i].document.path);
  auto metadata = catalog_->Metadata(page);
  if (!metadata.ok()) return metadata.status();
  for (size_t i = begin; i < end; ++i) merged[i].metadata = std::move((*metadata)[i - begin]);
  AppendHits(merged.begin() + static_cast<std::ptrdiff_t>(begin),
             merged.begin() + static_cast<std::ptrdiff_t>(end), response);
  return Status::Ok();
}

}  // namespace archivum::core
