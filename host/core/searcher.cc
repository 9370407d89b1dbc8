#include "core/searcher.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "core/proto_mapping.h"
#include "query/parser.h"

namespace archivum::core {
namespace {

struct Candidate {
  double score = 0;
  std::vector<store::FindingRecord> findings;
};

// The store's order for the API's, or INVALID_ARGUMENT for a number the enum does not name
// (proto3 keeps unknown enum numbers).
StatusOr<store::SortOrder> SortOf(const pb::AnalyzeRequest& request) {
  switch (request.sort()) {
    case pb::AnalyzeRequest::SORT_UNSPECIFIED:
    case pb::AnalyzeRequest::SORT_RELEVANCE: return store::SortOrder::kRelevance;
    case pb::AnalyzeRequest::SORT_MODIFIED_DESC: return store::SortOrder::kModifiedDesc;
    case pb::AnalyzeRequest::SORT_MODIFIED_ASC: return store::SortOrder::kModifiedAsc;
    case pb::AnalyzeRequest::SORT_SIZE_DESC: return store::SortOrder::kSizeDesc;
    case pb::AnalyzeRequest::SORT_SIZE_ASC: return store::SortOrder::kSizeAsc;
    case pb::AnalyzeRequest::SORT_NAME_ASC: return store::SortOrder::kNameAsc;
    case pb::AnalyzeRequest::SORT_NAME_DESC: return store::SortOrder::kNameDesc;
    default: break;
  }
  return InvalidArgument("sort " + std::to_string(static_cast<int>(request.sort())) +
                         " is not one of SORT_RELEVANCE, SORT_MODIFIED_DESC, SORT_MODIFIED_ASC, "
                         "SORT_SIZE_DESC, SORT_SIZE_ASC, SORT_NAME_ASC, SORT_NAME_DESC");
}

// The document's name as the store sorts by it (catalog.h, SortOrder): the path's last
// component, ASCII letters lower-cased.
std::string SortName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return AsciiLower(slash == std::string::npos ? std::string_view(path)
                                               : std::string_view(path).substr(slash + 1));
}

// Orders verb hits (already in memory, at most kMaxVerbCandidates) as the store orders a page:
// the sort key, then the score (higher first), then the path.
void SortHits(store::SortOrder sort, std::vector<store::SearchHit>* hits) {
  auto by_score = [](const store::SearchHit& a, const store::SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.document.path < b.document.path;
  };
  auto by_key = [&](auto key, bool desc) {
    std::sort(hits->begin(), hits->end(), [&](const auto& a, const auto& b) {
      const auto ka = key(a);
      const auto kb = key(b);
      if (ka != kb) return desc ? ka > kb : ka < kb;
      return by_score(a, b);
    });
  };
  auto mtime = [](const store::SearchHit& h) { return h.document.mtime_ns; };
  auto size = [](const store::SearchHit& h) { return h.document.size; };
  auto name = [](const store::SearchHit& h) { return SortName(h.document.path); };
  switch (sort) {
    case store::SortOrder::kRelevance: std::sort(hits->begin(), hits->end(), by_score); break;
    case store::SortOrder::kModifiedDesc: by_key(mtime, true); break;
    case store::SortOrder::kModifiedAsc: by_key(mtime, false); break;
    case store::SortOrder::kSizeDesc: by_key(size, true); break;
    case store::SortOrder::kSizeAsc: by_key(size, false); break;
    case store::SortOrder::kNameAsc: by_key(name, false); break;
    case store::SortOrder::kNameDesc: by_key(name, true); break;
  }
}

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
  auto sort = SortOf(request);
  if (!sort.ok()) return sort.status();

  if (parsed->verbs.empty()) {
    store::SearchOptions options;
    options.sort = *sort;
    options.facets = request.facets();
    auto found = catalog_->Search(*parsed, limit, request.offset(), options);
    if (!found.ok()) return found.status();
    response->set_total(found->total);
    AppendHits(found->hits.begin(), found->hits.end(), response);
    AppendFacets(std::move(found->facets), response);
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
  SortHits(*sort, &merged);
  response->set_total(merged.size());
  if (request.facets()) {
    std::vector<std::string> paths;
    paths.reserve(merged.size());
    for (const auto& h : merged) paths.push_back(h.document.path);
    auto facets = catalog_->Facets(paths);
    if (!facets.ok()) return facets.status();
    AppendFacets(std::move(*facets), response);
  }
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
