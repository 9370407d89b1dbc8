#include "store/sqlite/search.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "store/sqlite/count_cache.h"
#include "store/sqlite/documents.h"
#include "store/sqlite/exact_lookups.h"
#include "store/sqlite/facets.h"
#include "store/sqlite/query_compiler.h"
#include "store/sqlite/ranked_search.h"

namespace archivum::store::sqlite {
namespace {

// The total of an unranked or sorted search (what compiled.count_sql counts), from `cache` when
// this connection counted the same search at the database's current data version. Call inside a
// read transaction that has already read something, so that the version is its snapshot's.
StatusOr<uint64_t> CountUnranked(Connection& conn, CountCache& cache, const query::Query& q,
                                 const CompiledQuery& compiled) {
  unsigned int version = 0;
  const bool versioned =
      sqlite3_file_control(conn.db(), "main", SQLITE_FCNTL_DATA_VERSION, &version) == SQLITE_OK;
  // The statement and its parameters, each with its length (and type): injective.
  std::string key = std::to_string(compiled.count_sql.size());
  key += ':';
  key += compiled.count_sql;
  for (const auto& v : compiled.count_params()) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      key += "\ni";
      key += std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      // The shortest text that reads back as the same double: distinct values, distinct keys.
      char buf[32];
      const auto written = std::to_chars(buf, buf + sizeof buf, *d);
      key += "\nd";
      key.append(buf, written.ptr);
    } else {
      const std::string& text = std::get<std::string>(v);
      key += "\ns";
      key += std::to_string(text.size());
      key += ':';
      key += text;
    }
  }
  if (versioned) {
    if (const uint64_t* total = cache.Find(version, key)) return *total;
  }
  StatusOr<uint64_t> total = uint64_t{0};
  if (const query::Filter* path = SingleFilter(q, query::Field::kPath)) {
    total = CountPath(conn, path->text);
  } else {
    Statement count(conn, compiled.count_sql);
    if (!count.ok()) return count.status();
    BindAll(count, compiled.count_params());
    if (count.Step()) total = static_cast<uint64_t>(count.Int(0));
    if (!count.status().ok()) return count.status();
  }
  if (total.ok() && versioned) cache.Insert(version, std::move(key), *total);
  return total;
}

// Each hit's metadata; ids[i] is hits[i]'s document id.
Status FillMetadata(Connection& conn, const std::vector<int64_t>& ids, SearchResult* result) {
  return AppendMetadataOfIds(conn, ids, [result](size_t i) { return &result->hits[i].metadata; });
}

}  // namespace

StatusOr<SearchResult> Search(ReaderPool& readers, DocLengthCache& lengths, const query::Query& q,
                              uint32_t limit, uint32_t offset, const SearchOptions& options) {
  SearchResult result;
  // A lone sha256: filter is one statement (no count, no findings): no SQL to compile, and a
  // transaction only to read the hits' metadata from the same snapshot. Its page is in path
  // order, which is the relevance order of a query without free text.
  const query::Filter* sha256 = SingleFilter(q, query::Field::kSha256);
  if (sha256 != nullptr && !options.facets && options.sort == SortOrder::kRelevance) {
    ReadLease lease(readers);
    if (!lease.reader()) return lease.status();
    std::optional<ReadTransaction> txn;
    if (options.metadata) {
      txn.emplace(lease.conn());
      ARCHIVUM_RETURN_IF_ERROR(txn->status());
    }
    std::vector<int64_t> ids;
    ARCHIVUM_RETURN_IF_ERROR(
        SearchSha256(lease.conn(), sha256->text, limit, offset, &result, &ids));
    if (options.metadata) ARCHIVUM_RETURN_IF_ERROR(FillMetadata(lease.conn(), ids, &result));
    return result;
  }
  auto compiled = Compile(q, limit, offset, options.sort);
  if (!compiled.ok()) return compiled.status();
  if (!compiled->has_catalog_terms) return result;
  ReadLease lease(readers);
  if (!lease.reader()) return lease.status();
  // One read transaction for every statement below (the page, its count, the findings): the
  // WAL read lock is taken once per search instead of once per statement, and the count
  // describes the same snapshot as the page.
  ReadTransaction txn(lease.conn());
  ARCHIVUM_RETURN_IF_ERROR(txn.status());

  // The total of a search whose page was read in order: a first page that is not full is the
  // whole answer (counting again would be wasted work); else the count, remembered per data
  // version for the next pages.
  const auto set_unranked_total = [&]() -> Status {
    if (offset == 0 && result.hits.size() < limit) {
      result.total = result.hits.size();
      return Status::Ok();
    }
    auto total = CountUnranked(lease.conn(), lease.reader()->counts, q, *compiled);
    if (!total.ok()) return total.status();
    result.total = *total;
    return Status::Ok();
  };
  std::vector<int64_t> ids;
  if (compiled->ranked && compiled->sort == SortOrder::kRelevance) {
    auto ranked = SearchRanked(*lease.reader(), lengths, *compiled, limit, offset, options, &ids);
    if (!ranked.ok()) return ranked.status();
    result = std::move(*ranked);
  } else if (compiled->ranked) {
    auto sorted = SearchRankedSorted(*lease.reader(), lengths, *compiled, limit, options, &ids);
    if (!sorted.ok()) return sorted.status();
    result = std::move(*sorted);
    // Counted as unranked searches are (and remembered the same way, for the next page).
    ARCHIVUM_RETURN_IF_ERROR(set_unranked_total());
  } else {
    // Columns: d.id, d.path, d.size, d.mtime_ns, d.mime, score, snippet. Unranked, score and
    // snippet are the constants 0.0 and '' (query_compiler.h), which SearchHit's defaults
    // already are: they are not read.
    Statement st(lease.conn(), compiled->sql);
    if (!st.ok()) return st.status();
    BindAll(st, compiled->params);
    // A page is usually full; past 64 the vector grows as needed (limit is user-controlled).
    result.hits.reserve(std::min<uint32_t>(limit, 64));
    ids.reserve(result.hits.capacity());
    while (st.Step()) {
      // Built in place: a SearchHit is a dozen strings, each moved again by push_back.
      SearchHit& h = result.hits.emplace_back();
      ids.push_back(st.Int(0));
      h.document.path = st.TextView(1);
      h.document.size = static_cast<uint64_t>(st.Int(2));
      h.document.mtime_ns = st.Int(3);
      h.document.mime = st.TextView(4);
    }
    if (!st.status().ok()) return st.status();

    ARCHIVUM_RETURN_IF_ERROR(set_unranked_total());
  }

  if (options.metadata) ARCHIVUM_RETURN_IF_ERROR(FillMetadata(lease.conn(), ids, &result));
  if (options.facets) {
    auto facets = CountFacets(*lease.reader(), compiled->from_where, compiled->count_params());
    if (!facets.ok()) return facets.status();
    result.facets = std::move(*facets);
  }

  // The findings the query's plugin filters asked about, so a client sees why a hit matched.
  std::vector<std::pair<std::string, std::string>> keys;
  std::function<void(const query::Node&)> collect = [&](const query::Node& n) {
    if (n.kind == query::NodeKind::kTerm) {
      if (const auto* f = std::get_if<query::FindingFilter>(&n.term)) {
        keys.emplace_back(f->plugin, f->key);
      }
    }
    for (const auto& c : n.children) collect(c);
  };
  collect(*q.where);
  if (keys.empty() || ids.empty()) return result;
  Statement fs(lease.conn(),
               "SELECT plugin, key, value FROM findings WHERE document_id = ?1 AND plugin = ?2 "
               "AND key = ?3 ORDER BY rowid");
  if (!fs.ok()) return fs.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    for (const auto& [plugin, key] : keys) {
      fs.Bind(1, ids[i]);
      fs.Bind(2, plugin);
      fs.Bind(3, key);
      while (fs.Step()) result.hits[i].findings.push_back({fs.Text(0), fs.Text(1), fs.Text(2)});
      if (!fs.status().ok()) return fs.status();
      fs.Reset();
    }
  }
  return result;
}

}  // namespace archivum::store::sqlite
