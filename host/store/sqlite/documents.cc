#include "store/sqlite/documents.h"

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

namespace archivum::store::sqlite {
namespace {

// The columns ReadRecord expects, in order.
constexpr const char* kRecordColumns =
    "path, size, mtime_ns, ingested_at_ns, parent, name, ext, sha256, mime, analyzers, signature";
constexpr int kRecordColumnCount = 11;

DocumentRecord ReadRecord(const Statement& st) {
  DocumentRecord r;
  r.path = st.Text(0);
  r.size = static_cast<uint64_t>(st.Int(1));
  r.mtime_ns = st.Int(2);
  r.ingested_at_ns = st.Int(3);
  r.parent = st.Text(4);
  r.name = st.Text(5);
  r.ext = st.Text(6);
  r.sha256 = st.Text(7);
  r.mime = st.Text(8);
  r.analyzers = st.Text(9);
  r.signature = st.Text(10);
  return r;
}

// "SELECT key, value FROM findings WHERE document_id = ?1 AND key IN ('title', ...) ORDER BY
// rowid": the findings of the metadata vocabulary, in recorded order.
std::string MetadataSql() {
  std::string sql = "SELECT key, value FROM findings WHERE document_id = ?1 AND key IN (";
  bool first = true;
  for (std::string_view key : kMetadataKeys) {
    if (!first) sql += ", ";
    first = false;
    sql += '\'';
    sql += key;  // the vocabulary's keys are plain identifiers: no quote to escape
    sql += '\'';
  }
  return sql + ") ORDER BY rowid";
}

}  // namespace

StatusOr<std::optional<DocumentRecord>> FindDocument(Connection& conn, std::string_view path) {
  Statement st(conn, std::string("SELECT ") + kRecordColumns + " FROM documents WHERE path = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, path);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<DocumentRecord>();
  }
  return std::optional<DocumentRecord>(ReadRecord(st));
}

StatusOr<uint64_t> CountDocuments(Connection& conn) {
  // SQLite counts from the smallest index that covers every row (a partial one does not).
  Statement st(conn, "SELECT count(*) FROM documents");
  if (!st.ok()) return st.status();
  if (!st.Step()) return st.status().ok() ? Internal("count(*) returned no row") : st.status();
  return static_cast<uint64_t>(st.Int(0));
}

StatusOr<std::vector<DocumentRecord>> ListDocumentsUnder(Connection& conn, std::string_view dir) {
  // A range scan on the path index: everything starting with "dir/" sorts between "dir/" and
  // "dir0" ('0' follows '/' in ASCII).
  std::string base(dir);
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string lo = base == "/" ? "/" : base + "/";
  const std::string hi = base == "/" ? "0" : base + "0";
  Statement st(conn, std::string("SELECT ") + kRecordColumns +
                         " FROM documents WHERE path = ?1 OR (path >= ?2 AND path < ?3) "
                         "ORDER BY path");
  if (!st.ok()) return st.status();
  st.Bind(1, base);
  st.Bind(2, lo);
  st.Bind(3, hi);
  std::vector<DocumentRecord> out;
  while (st.Step()) out.push_back(ReadRecord(st));
  if (!st.status().ok()) return st.status();
  return out;
}

StatusOr<std::optional<DocumentDetail>> GetDocument(Connection& conn, std::string_view path) {
  Statement st(conn,
               std::string("SELECT ") + kRecordColumns + ", id FROM documents WHERE path = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, path);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<DocumentDetail>();
  }
  DocumentDetail detail;
  detail.document = ReadRecord(st);
  const int64_t id = st.Int(kRecordColumnCount);
  Statement fs(conn,
               "SELECT plugin, key, value FROM findings WHERE document_id = ?1 ORDER BY rowid");
  if (!fs.ok()) return fs.status();
  fs.Bind(1, id);
  while (fs.Step()) detail.findings.push_back({fs.Text(0), fs.Text(1), fs.Text(2)});
  if (!fs.status().ok()) return fs.status();
  Statement ps(conn, "SELECT 1 FROM previews WHERE document_id = ?1");
  if (!ps.ok()) return ps.status();
  ps.Bind(1, id);
  detail.has_preview = ps.Step();
  if (!ps.status().ok()) return ps.status();
  return std::optional<DocumentDetail>(std::move(detail));
}

StatusOr<std::optional<Preview>> GetDocumentPreview(Connection& conn, std::string_view path) {
  Statement st(conn,
               "SELECT p.plugin, p.mime, p.bytes FROM documents d JOIN previews p ON "
               "p.document_id = d.id WHERE d.path = ?1");
  if (!st.ok()) return st.status();
  st.Bind(1, path);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<Preview>();
  }
  Preview p;
  p.plugin = st.Text(0);
  p.mime = st.Text(1);
  p.bytes = st.Text(2);
  return std::optional<Preview>(std::move(p));
}

StatusOr<std::optional<DocumentText>> GetDocumentText(Connection& conn, std::string_view path,
                                                      uint64_t max_bytes) {
  Statement id_of(conn, "SELECT id FROM documents WHERE path = ?1");
  if (!id_of.ok()) return id_of.status();
  id_of.Bind(1, path);
  if (!id_of.Step()) {
    if (!id_of.status().ok()) return id_of.status();
    return std::optional<DocumentText>();
  }
  const int64_t id = id_of.Int(0);
  DocumentText out;
  // substr counts characters of TEXT values; bytes are counted on a BLOB cast, whose cut is then
  // moved back to a character boundary here.
  Statement text(conn,
                 "SELECT length(CAST(body AS BLOB)), substr(CAST(body AS BLOB), 1, ?2) FROM texts "
                 "WHERE rowid = ?1");
  if (!text.ok()) return text.status();
  text.Bind(1, id);
  text.Bind(2, static_cast<int64_t>(std::min<uint64_t>(max_bytes, INT64_MAX)));
  if (text.Step()) {
    out.total_size = static_cast<uint64_t>(text.Int(0));
    out.text = text.Text(1);
    if (out.text.size() < out.total_size) {
      size_t end = out.text.size();
      // Back off continuation bytes (10xxxxxx) and the lead byte of the cut character.
      while (end > 0 && (static_cast<unsigned char>(out.text[end - 1]) & 0xC0) == 0x80) --end;
      if (end > 0 && static_cast<unsigned char>(out.text[end - 1]) >= 0xC0) --end;
      out.text.resize(end);
    }
  }
  if (!text.status().ok()) return text.status();
  Statement parts(conn,
                  "SELECT plugin, kind, start, length FROM text_parts WHERE document_id = ?1 "
                  "ORDER BY seq");
  if (!parts.ok()) return parts.status();
  parts.Bind(1, id);
  while (parts.Step()) {
    const auto start = static_cast<uint64_t>(parts.Int(2));
    const auto size = static_cast<uint64_t>(parts.Int(3));
    if (start >= out.text.size()) continue;
    out.parts.push_back(
        {parts.Text(0), parts.Text(1), start, std::min<uint64_t>(size, out.text.size() - start)});
  }
  if (!parts.status().ok()) return parts.status();
  return std::optional<DocumentText>(std::move(out));
}

StatusOr<ChildList> ListChildDocuments(Connection& conn, std::string_view path, uint32_t limit) {
  ChildList out;
  // "parent != ''" lets the partial index documents_parent (WHERE parent != '') serve both.
  Statement count(conn, "SELECT count(*) FROM documents WHERE parent = ?1 AND parent != ''");
  if (!count.ok()) return count.status();
  count.Bind(1, path);
  if (count.Step()) out.total = static_cast<uint64_t>(count.Int(0));
  if (!count.status().ok()) return count.status();
  if (out.total == 0 || limit == 0) return out;
  Statement st(conn,
               "SELECT path FROM documents WHERE parent = ?1 AND parent != '' ORDER BY path "
               "LIMIT ?2");
  if (!st.ok()) return st.status();
  st.Bind(1, path);
  st.Bind(2, static_cast<int64_t>(limit));
  while (st.Step()) out.paths.push_back(st.Text(0));
  if (!st.status().ok()) return st.status();
  return out;
}

Status AppendMetadataOfIds(Connection& conn, const std::vector<int64_t>& ids,
                           const std::function<std::vector<MetadataEntry>*(size_t)>& out) {
  if (ids.empty()) return Status::Ok();
  // One statement for the whole page: the ids travel as a JSON array (json_each), so the
  // statement text, and with it the cached prepared statement, is the same for every page.
  static const std::string kSql = [] {
    std::string sql = MetadataSql();
    const std::string one = "document_id = ?1";
    sql.replace(sql.find(one), one.size(), "document_id IN (SELECT value FROM json_each(?1))");
    sql.replace(sql.find("SELECT key, value"), 17, "SELECT document_id, key, value");
    return sql;
  }();
  std::string json = "[";
  std::unordered_map<int64_t, std::vector<size_t>> where;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) json += ',';
    json += std::to_string(ids[i]);
    where[ids[i]].push_back(i);
  }
  json += ']';
  Statement st(conn, kSql);
  if (!st.ok()) return st.status();
  st.Bind(1, json);
  while (st.Step()) {
    const auto it = where.find(st.Int(0));
    if (it == where.end()) continue;
    for (size_t i : it->second) out(i)->push_back({st.Text(1), st.Text(2)});
  }
  return st.status();
}

Status AppendMetadata(Connection& conn, int64_t id, std::vector<MetadataEntry>* out) {
  static const std::string kSql = MetadataSql();
  Statement st(conn, kSql);
  if (!st.ok()) return st.status();
  st.Bind(1, id);
  while (st.Step()) out->push_back({st.Text(0), st.Text(1)});
  return st.status();
}

StatusOr<std::vector<std::vector<MetadataEntry>>> MetadataOfPaths(
    Connection& conn, const std::vector<std::string>& paths) {
  std::vector<std::vector<MetadataEntry>> out(paths.size());
  Statement id(conn, "SELECT id FROM documents WHERE path = ?1");
  if (!id.ok()) return id.status();
  for (size_t i = 0; i < paths.size(); ++i) {
    id.Bind(1, paths[i]);
    const bool found = id.Step();
    ARCHIVUM_RETURN_IF_ERROR(id.status());
    if (found) ARCHIVUM_RETURN_IF_ERROR(AppendMetadata(conn, id.Int(0), &out[i]));
    id.Reset();
  }
  return out;
}

}  // namespace archivum::store::sqlite
