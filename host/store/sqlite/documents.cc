#include "store/sqlite/documents.h"

#include <string>
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
  return std::optional<DocumentDetail>(std::move(detail));
}

}  // namespace archivum::store::sqlite
