#include "store/sqlite/ranked_search.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>

namespace archivum::store::sqlite {
namespace {

// Ties at the page boundary whose order is settled by path; more than this (a flood of
// identical scores) are ordered by rowid, which follows ingestion order.
constexpr size_t kMaxTiesByPath = 4096;

// A match: (score, rowid).
using Scored = std::pair<double, int64_t>;

// Hands `reader`'s FTS context the token counts for ranking, checked against the database in
// the caller's read transaction (another process may have written the store).
Status PrepareRanking(Reader& reader, DocLengthCache& lengths) {
  auto generation = ReadTextGeneration(reader.conn);
  if (!generation.ok()) return generation.status();
  auto [snapshot, snapshot_generation] = lengths.Snapshot();
  if (snapshot_generation != *generation) {
    ARCHIVUM_RETURN_IF_ERROR(lengths.Load(reader.conn));
    std::tie(snapshot, snapshot_generation) = lengths.Snapshot();
  }
  // Still different (a commit of this process is being published right now): rank without
  // the snapshot, looking every length up; exact, only slower.
  reader.fts.lengths = snapshot_generation == *generation ? std::move(snapshot) : nullptr;
  return Status::Ok();
}

// The snippets of the rows `page_ids` (any order), sorted by rowid, in one pass over the page's
// rowid range: re-evaluating the MATCH once per hit would repeat its fixed cost (prefix
// expansion, phrase checks) per hit.
StatusOr<std::vector<std::pair<int64_t, std::string>>> PageSnippets(
    Reader& reader, const CompiledQuery& compiled, const std::vector<int64_t>& page_ids) {
  std::vector<std::pair<int64_t, std::string>> snippets;
  if (page_ids.empty()) return snippets;
  std::vector<int64_t> sorted = page_ids;
  std::sort(sorted.begin(), sorted.end());
  reader.fts.snippet_rows = &sorted;
  Statement snip(reader.conn,
                 "SELECT rowid, archivum_snippet(texts) FROM texts WHERE texts MATCH ?1 AND "
                 "rowid >= ?2 AND rowid <= ?3");
  Status st = snip.status();
  if (snip.ok()) {
    snip.Bind(1, compiled.fts_match);
    snip.Bind(2, sorted.front());
    snip.Bind(3, sorted.back());
    while (snip.Step()) {
      if (!snip.IsNull(1)) snippets.emplace_back(snip.Int(0), snip.Text(1));
    }
    st = snip.status();
  }
  reader.fts.snippet_rows = nullptr;
  if (!st.ok()) return st;
  std::sort(snippets.begin(), snippets.end());
  return snippets;
}

// The snippet of row `id` in `snippets` (PageSnippets), moved out; empty when it has none.
std::string TakeSnippet(std::vector<std::pair<int64_t, std::string>>& snippets, int64_t id) {
  auto it = std::lower_bound(snippets.begin(), snippets.end(), id,
                             [](const auto& s, int64_t row) { return s.first < row; });
  if (it != snippets.end() && it->first == id) return std::move(it->second);
  return {};
}

}  // namespace

StatusOr<SearchResult> SearchRankedSorted(Reader& reader, DocLengthCache& lengths,
                                          const CompiledQuery& compiled, uint32_t limit,
                                          const SearchOptions& options, std::vector<int64_t>* ids) {
  SearchResult result;
  ReadTransaction txn(reader.conn);
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  ARCHIVUM_RETURN_IF_ERROR(PrepareRanking(reader, lengths));
  // Columns: d.id, d.path, d.size, d.mtime_ns, d.mime, score, '' (query_compiler.h).
  {
    Statement st(reader.conn, compiled.sql);
    if (!st.ok()) return st.status();
    BindAll(st, compiled.params);
    result.hits.reserve(std::min<uint32_t>(limit, 64));
    while (st.Step()) {
      SearchHit& h = result.hits.emplace_back();
      ids->push_back(st.Int(0));
      h.document.path = st.TextView(1);
      h.document.size = static_cast<uint64_t>(st.Int(2));
      h.document.mtime_ns = st.Int(3);
      h.document.mime = st.TextView(4);
      h.score = st.Double(5);
    }
    if (!st.status().ok()) return st.status();
  }
  if (options.snippets) {
    auto snippets = PageSnippets(reader, compiled, *ids);
    if (!snippets.ok()) return snippets.status();
    for (size_t i = 0; i < result.hits.size(); ++i) {
      result.hits[i].snippet = TakeSnippet(*snippets, (*ids)[i]);
    }
  }
  return result;
}

StatusOr<SearchResult> SearchRanked(Reader& reader, DocLengthCache& lengths,
                                    const CompiledQuery& compiled, uint32_t limit, uint32_t offset,
                                    const SearchOptions& options, std::vector<int64_t>* ids) {
  SearchResult result;
  // 0. The token counts for ranking, checked against the database in the same read
  // transaction as the ranking itself.
  ReadTransaction txn(reader.conn);
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  ARCHIVUM_RETURN_IF_ERROR(PrepareRanking(reader, lengths));

  // 1. Every match with its BM25 score, in one pass over the FTS index; counting them is free.
  std::vector<std::pair<double, int64_t>> all;
  {
    // Without filters the function collects the matches itself (no row per match comes back);
    // with filters the matches that pass them come back as rows.
    if (compiled.rank_without_filters) {
      reader.fts.collect = &all;
      reader.fts.may_defer_idf = true;
    }
    Statement rank(reader.conn, compiled.rank_sql);
    Status st = rank.status();
    if (rank.ok()) {
      BindAll(rank, compiled.count_params());
      while (rank.Step()) {
        if (!compiled.rank_without_filters) all.emplace_back(rank.Double(1), rank.Int(0));
      }
      st = rank.status();
    }
    reader.fts.collect = nullptr;
    reader.fts.may_defer_idf = false;
    if (!st.ok()) {
      reader.fts.idf_deferred = false;
      return st;
    }
    ApplyDeferredIdf(&reader.fts, &all);
  }
  result.total = all.size();
  const size_t wanted = static_cast<size_t>(offset) + limit;
  if (limit == 0 || offset >= all.size()) return result;

  // 2. The best `wanted` by score, plus everything tied with the last of them: ties are ordered
  // by path (as the SQL form orders them), which needs the documents row.
  auto better = [](const Scored& a, const Scored& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  if (wanted < all.size()) {
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(wanted - 1), all.end(),
                     better);
    const double boundary = all[wanted - 1].first;
    auto tail = std::partition(all.begin() + static_cast<std::ptrdiff_t>(wanted), all.end(),
                               [&](const Scored& x) { return x.first == boundary; });
    size_t keep = static_cast<size_t>(tail - all.begin());
    if (keep > wanted + kMaxTiesByPath) {
      // A flood of equal scores: settle the extra ties by rowid instead of reading every path.
      std::sort(all.begin() + static_cast<std::ptrdiff_t>(wanted), tail, better);
      keep = wanted + kMaxTiesByPath;
    }
    all.resize(keep);
  }

  // 3. The candidates' documents, then the page in (score DESC, path) order.
  struct Candidate {
    double score;
    int64_t id;
    DocumentRecord doc;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(all.size());
  {
    Statement doc(reader.conn, "SELECT path, size, mtime_ns, mime FROM documents WHERE id = ?1");
    if (!doc.ok()) return doc.status();
    for (const auto& [score, id] : all) {
      doc.Bind(1, id);
      if (doc.Step()) {
        Candidate c{score, id, {}};
        c.doc.path = doc.Text(0);
        c.doc.size = static_cast<uint64_t>(doc.Int(1));
        c.doc.mtime_ns = doc.Int(2);
        c.doc.mime = doc.Text(3);
        candidates.push_back(std::move(c));
      }
      if (!doc.status().ok()) return doc.status();
      doc.Reset();
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.doc.path < b.doc.path;
  });
  const size_t begin = std::min<size_t>(offset, candidates.size());
  const size_t end = std::min<size_t>(begin + limit, candidates.size());

  // 4. Snippets for the page only.
  std::vector<int64_t> page_ids;
  for (size_t i = begin; i < end; ++i) page_ids.push_back(candidates[i].id);
  std::vector<std::pair<int64_t, std::string>> snippets;
  if (options.snippets) {
    auto quoted = PageSnippets(reader, compiled, page_ids);
    if (!quoted.ok()) return quoted.status();
    snippets = std::move(*quoted);
  }
  for (size_t i = begin; i < end; ++i) {
    SearchHit h;
    h.document = std::move(candidates[i].doc);
    h.score = candidates[i].score;
    h.snippet = TakeSnippet(snippets, candidates[i].id);
    result.hits.push_back(std::move(h));
    ids->push_back(candidates[i].id);
  }
  return result;
}

}  // namespace archivum::store::sqlite
