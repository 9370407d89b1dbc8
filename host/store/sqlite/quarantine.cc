#include "store/sqlite/quarantine.h"

namespace archivum::store::sqlite {

Status UpsertQuarantine(Connection& conn, const QuarantineEntry& entry) {
  Statement st(conn,
               "INSERT INTO quarantine(sha256, plugin, plugin_version, reason, path, at_ns) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(sha256, plugin, plugin_version) DO "
               "UPDATE SET reason = excluded.reason, path = excluded.path, at_ns = excluded.at_ns");
  if (!st.ok()) return st.status();
  st.Bind(1, entry.sha256);
  st.Bind(2, entry.plugin);
  st.Bind(3, entry.plugin_version);
  st.Bind(4, entry.reason);
  st.Bind(5, entry.path);
  st.Bind(6, entry.at_ns);
  st.Step();
  return st.status();
}

StatusOr<std::vector<QuarantineEntry>> SelectQuarantine(Connection& conn) {
  Statement st(conn,
               "SELECT sha256, plugin, plugin_version, reason, path, at_ns FROM quarantine "
               "ORDER BY at_ns DESC, sha256, plugin, plugin_version");
  if (!st.ok()) return st.status();
  std::vector<QuarantineEntry> out;
  while (st.Step()) {
    QuarantineEntry& e = out.emplace_back();
    e.sha256 = st.Text(0);
    e.plugin = st.Text(1);
    e.plugin_version = st.Text(2);
    e.reason = st.Text(3);
    e.path = st.Text(4);
    e.at_ns = st.Int(5);
  }
  if (!st.status().ok()) return st.status();
  return out;
}

StatusOr<uint64_t> DeleteQuarantine(Connection& conn, std::string_view plugin,
                                    std::string_view sha256) {
  // One row per removed entry: the count is this statement's own.
  Statement st(conn,
               "DELETE FROM quarantine WHERE (?1 = '' OR plugin = ?1) AND (?2 = '' OR sha256 = ?2) "
               "RETURNING 1");
  if (!st.ok()) return st.status();
  st.Bind(1, plugin);
  st.Bind(2, sha256);
  uint64_t removed = 0;
  while (st.Step()) ++removed;
  if (!st.status().ok()) return st.status();
  return removed;
}

}  // namespace archivum::store::sqlite
