#include "store/sqlite/exact_lookups.h"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <variant>

namespace archivum::store::sqlite {

const query::Filter* SingleFilter(const query::Query& q, query::Field field) {
  if (!q.where || q.where->kind != query::NodeKind::kTerm) return nullptr;
  const auto* f = std::get_if<query::Filter>(&q.where->term);
  return f != nullptr && f->field == field ? f : nullptr;
}

Status SearchSha256(Connection& conn, const std::string& digest, uint32_t limit, uint32_t offset,
                    SearchResult* result, std::vector<int64_t>* ids) {
  struct Row {
    std::string path;
    int64_t id;
    uint64_t size;
    int64_t mtime_ns;
    std::string mime;
  };
  Statement st(conn, "SELECT id, path, size, mtime_ns, mime FROM documents WHERE sha256 = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, digest);
  const size_t wanted = static_cast<size_t>(offset) + limit;
  // std::string orders bytes as unsigned values, as SQLite's BINARY collation does; paths are
  // unique, so the order is total.
  const auto by_path = [](const Row& a, const Row& b) { return a.path < b.path; };
  std::vector<Row> rows;
  uint64_t total = 0;
  while (st.Step()) {
    ++total;
    if (wanted == 0) continue;
    rows.push_back(
        {st.Text(1), st.Int(0), static_cast<uint64_t>(st.Int(2)), st.Int(3), st.Text(4)});
    if (rows.size() >= 2 * wanted + 64) {  // keep the first `wanted` by path
      std::nth_element(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(wanted), rows.end(),
                       by_path);
      rows.resize(wanted);
    }
  }
  if (!st.status().ok()) return st.status();
  result->total = total;
  std::sort(rows.begin(), rows.end(), by_path);
  const size_t end = std::min(wanted, rows.size());
  if (end > offset) {
    result->hits.reserve(end - offset);
    ids->reserve(end - offset);
  }
  for (size_t i = offset; i < end; ++i) {
    SearchHit& h = result->hits.emplace_back();
    h.document.path = std::move(rows[i].path);
    h.document.size = rows[i].size;
    h.document.mtime_ns = rows[i].mtime_ns;
    h.document.mime = std::move(rows[i].mime);
    ids->push_back(rows[i].id);
  }
  return Status::Ok();
}

StatusOr<uint64_t> CountPath(Connection& conn, const std::string& dir) {
  const bool root = dir == "/";
  const std::string low = root ? dir : dir + "/";
  const std::string high = root ? std::string("0") : dir + "0";
  Statement st(conn, root ? "SELECT count(*) FROM documents WHERE path >= ?2 AND path < ?3"
                          : "SELECT (SELECT count(*) FROM documents WHERE path = ?1) + "
                            "(SELECT count(*) FROM documents WHERE path >= ?2 AND path < ?3)");
  if (!st.ok()) return st.status();
  if (!root) st.Bind(1, dir);
  st.Bind(2, low);
  st.Bind(3, high);
  if (!st.Step()) return st.status().ok() ? Internal("count returned no row") : st.status();
  return static_cast<uint64_t>(st.Int(0));
}

}  // namespace archivum::store::sqlite
