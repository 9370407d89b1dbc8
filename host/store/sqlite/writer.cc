#include "store/sqlite/writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "store/sqlite/metadata_text.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/tokenizer.h"

namespace archivum::store::sqlite {
namespace {

// Write-side settings. Neither changes what is stored or how it reads; readers keep SQLite's
// defaults. The writer's page cache holds the b-tree pages a batch touches (the findings and
// path indexes take inserts all over; with SQLite's default of 2 MiB their pages would be read
// back from the OS again and again). The FTS5 pending-data buffer ("hashsize", 1 MiB by default)
// lets a batch's postings reach the index as one segment instead of several small ones that
// automerge then merges again.
constexpr int kWriterCacheKiB = 16 << 10;
constexpr int64_t kFtsHashBytes = int64_t{4} << 20;

Status ConfigureWriter(sqlite3* db) {
  ARCHIVUM_RETURN_IF_ERROR(
      Exec(db, ("PRAGMA cache_size=-" + std::to_string(kWriterCacheKiB)).c_str()));
  // hashsize is a persistent FTS5 option (in texts_config): written only when it differs.
  int64_t current = 0;
  {
    Statement get(db, "SELECT v FROM texts_config WHERE k = 'hashsize'");
    if (!get.ok()) return get.status();
    if (get.Step()) current = get.Int(0);
    ARCHIVUM_RETURN_IF_ERROR(get.status());
  }
  if (current == kFtsHashBytes) return Status::Ok();
  return Exec(db, ("INSERT INTO texts(texts, rank) VALUES('hashsize', " +
                   std::to_string(kFtsHashBytes) + ")")
                      .c_str());
}

}  // namespace

StatusOr<std::unique_ptr<Writer>> Writer::Open(const std::string& file, DocLengthCache& lengths) {
  auto db = OpenConnection(file, /*create=*/true);
  if (!db.ok()) return db.status();
  std::unique_ptr<Writer> writer(new Writer(std::make_unique<Connection>(*db), lengths));
  ARCHIVUM_RETURN_IF_ERROR(RegisterTokenizer(writer->conn_->db()));
  ARCHIVUM_RETURN_IF_ERROR(Migrate(writer->conn_->db(), file));
  ARCHIVUM_RETURN_IF_ERROR(ConfigureWriter(writer->conn_->db()));
  ARCHIVUM_RETURN_IF_ERROR(lengths.Load(*writer->conn_));
  auto checkpointer = WalCheckpointer::Start(file);
  if (checkpointer.ok()) {
    writer->checkpointer_ = std::move(*checkpointer);
    writer->checkpointer_->Attach(writer->conn_->db());
  } else {
    spdlog::warn("store: WAL checkpoints stay with the writer: {}",
                 checkpointer.status().message());
  }
  return writer;
}

Writer::Writer(std::unique_ptr<Connection> conn, DocLengthCache& lengths)
    : conn_(std::move(conn)), lengths_(lengths) {}

Writer::~Writer() {
  // The connection closes after the checkpointer: without its hook first.
  if (checkpointer_ && conn_) WalCheckpointer::Detach(conn_->db());
  checkpointer_.reset();
}

Status Writer::EndTransaction(Status st, bool text_changed, int64_t* generation) {
  sqlite3* db = conn_->db();
  if (st.ok() && text_changed) {
    auto bumped = BumpTextGeneration(*conn_);
    if (bumped.ok()) {
      *generation = *bumped;
    } else {
      st = bumped.status();
    }
  }
  if (st.ok()) st = Exec(db, "COMMIT");
  if (!st.ok()) (void)Exec(db, "ROLLBACK");
  return st;
}

Status Writer::Commit(const std::vector<DocumentWrite>& writes,
                      const std::vector<std::string>& removals) {
  std::lock_guard lock(mu_);
  sqlite3* db = conn_->db();
  ARCHIVUM_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  std::vector<std::pair<int64_t, uint32_t>> lengths;
  int64_t generation = 0;
  ARCHIVUM_RETURN_IF_ERROR(
      EndTransaction(WriteLocked(writes, removals, &lengths), /*text_changed=*/true, &generation));
  lengths_.Publish(lengths, generation);
  conn_->Trim(kMaxCachedStatements);
  return Status::Ok();
}

StatusOr<uint64_t> Writer::Rename(const RenameRequest& request) {
  const std::string& from = request.from;
  const std::string& to = request.to;
  auto below = [](const std::string& path, const std::string& dir) {
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
           (path[dir.size()] == '/' || path.compare(dir.size(), 2, "!/") == 0);
  };
  if (from.empty() || to.empty() || from == to || below(from, to) || below(to, from)) {
    return InvalidArgument("cannot rename " + from + " to " + to);
  }
  std::lock_guard lock(mu_);
  sqlite3* db = conn_->db();
  ARCHIVUM_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  std::vector<std::pair<int64_t, uint32_t>> lengths;
  StatusOr<uint64_t> moved = RenameLocked(request, &lengths);
  int64_t generation = 0;
  ARCHIVUM_RETURN_IF_ERROR(
      EndTransaction(moved.status(), /*text_changed=*/moved.ok() && *moved > 0, &generation));
  if (*moved > 0) lengths_.Publish(lengths, generation);
  conn_->Trim(kMaxCachedStatements);
  return moved;
}

StatusOr<uint64_t> Writer::RenameLocked(const RenameRequest& request,
                                        std::vector<std::pair<int64_t, uint32_t>>* lengths) {
  Connection& conn = *conn_;
  const std::string& from = request.from;
  const std::string& to = request.to;
  // A path, its children ("p!/" up to "p!0") and, as a directory, what lies below it ("p/" up to
  // "p0"): '0' follows '/' in byte order.
  constexpr const char* kSubtree =
      "path = ?1 OR (path >= ?1 || '!/' AND path < ?1 || '!0') OR "
      "(path >= ?1 || '/' AND path < ?1 || '0')";
  struct Moving {
    int64_t id;
    std::string path;
    std::string parent;
  };
  std::vector<Moving> moving;
  {
    Statement list(conn, std::string("SELECT id, path, parent FROM documents WHERE ") + kSubtree +
                             " ORDER BY id");
    if (!list.ok()) return list.status();
    list.Bind(1, from);
    while (list.Step()) moving.push_back({list.Int(0), list.Text(1), list.Text(2)});
    ARCHIVUM_RETURN_IF_ERROR(list.status());
  }
  if (moving.empty()) return uint64_t{0};
  {
    // What was at the destination is replaced, as the file system replaced it.
    Statement drop(conn, std::string("DELETE FROM documents WHERE ") + kSubtree);
    if (!drop.ok()) return drop.status();
    drop.Bind(1, to);
    drop.Step();
    ARCHIVUM_RETURN_IF_ERROR(drop.status());
  }
  Statement move(conn, "UPDATE documents SET path = ?2, parent = ?3 WHERE id = ?1");
  Statement rename_top(conn, "UPDATE documents SET name = ?2, ext = ?3 WHERE id = ?1");
  Statement read_text(conn, "SELECT body FROM texts WHERE rowid = ?1");
  Statement clear_text(conn, "DELETE FROM texts WHERE rowid = ?1");
  Statement add_text(conn, "INSERT INTO texts(rowid, path, body) VALUES(?1, ?2, ?3)");
  Statement text_size(conn, "SELECT sz FROM texts_docsize WHERE id = ?1");
  for (Statement* s : {&move, &rename_top, &read_text, &clear_text, &add_text, &text_size}) {
    if (!s->ok()) return s->status();
  }
  auto moved_path = [&](const std::string& path) { return to + path.substr(from.size()); };
  // Every parent lies at or below `from` too (a child's path extends its parent's).
  auto moved_parent = [&](const std::string& parent) {
    return parent.compare(0, from.size(), from) == 0 ? moved_path(parent) : parent;
  };
  for (const Moving& m : moving) {
    const std::string path = moved_path(m.path);
    move.Bind(1, m.id);
    move.Bind(2, path);
    move.Bind(3, m.parent.empty() ? std::string() : moved_parent(m.parent));
    move.Step();
    ARCHIVUM_RETURN_IF_ERROR(move.status());
    move.Reset();
    if (m.path == from) {
      rename_top.Bind(1, m.id);
      rename_top.Bind(2, request.name);
      rename_top.Bind(3, request.ext);
      rename_top.Step();
      ARCHIVUM_RETURN_IF_ERROR(rename_top.status());
      rename_top.Reset();
    }
    // The text index holds the path beside the body (words match names): re-indexed under the
    // new path, in rowid order (see WriteLocked).
    read_text.Bind(1, m.id);
    if (!read_text.Step()) {
      ARCHIVUM_RETURN_IF_ERROR(read_text.status());
      read_text.Reset();
      continue;
    }
    const std::string body = read_text.Text(0);
    read_text.Reset();
    clear_text.Bind(1, m.id);
    clear_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_text.status());
    clear_text.Reset();
    add_text.Bind(1, m.id);
    add_text.Bind(2, path);
    add_text.Bind(3, body);
    add_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(add_text.status());
    add_text.Reset();
    text_size.Bind(1, m.id);
    if (text_size.Step()) {
      const std::string_view sz = text_size.TextView(0);
      lengths->emplace_back(m.id, DocsizeTotal(reinterpret_cast<const unsigned char*>(sz.data()),
                                               static_cast<int>(sz.size())));
    }
    ARCHIVUM_RETURN_IF_ERROR(text_size.status());
    text_size.Reset();
  }
  return static_cast<uint64_t>(moving.size());
}

Status Writer::Transact(const std::function<Status(Connection&)>& write) {
  std::lock_guard lock(mu_);
  sqlite3* db = conn_->db();
  ARCHIVUM_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status st = write(*conn_);
  if (st.ok()) st = Exec(db, "COMMIT");
  if (!st.ok()) {
    (void)Exec(db, "ROLLBACK");
    return st;
  }
  conn_->Trim(kMaxCachedStatements);
  return Status::Ok();
}

Status Writer::WriteLocked(const std::vector<DocumentWrite>& writes,
                           const std::vector<std::string>& removals,
                           std::vector<std::pair<int64_t, uint32_t>>* lengths) {
  Connection& conn = *conn_;
  // Children sort between "parent!/" and "parent!0" ('0' follows '/').
  Statement drop_children(conn, "DELETE FROM documents WHERE path >= ?1 AND path < ?2");
  Statement drop(conn, "DELETE FROM documents WHERE path = ?1");
  for (Statement* s : {&drop_children, &drop}) {
    if (!s->ok()) return s->status();
  }
  auto remove_children = [&](const std::string& path) {
    drop_children.Bind(1, path + "!/");
    drop_children.Bind(2, path + "!0");
    drop_children.Step();
    drop_children.Reset();
    return drop_children.status();
  };
  for (const auto& p : removals) {
    ARCHIVUM_RETURN_IF_ERROR(remove_children(p));
    drop.Bind(1, p);
    drop.Step();
    ARCHIVUM_RETURN_IF_ERROR(drop.status());
    drop.Reset();
  }
  if (writes.empty()) return Status::Ok();

  Statement up(conn,
               "INSERT INTO documents(path, size, mtime_ns, ingested_at_ns, parent, name, ext, "
               "sha256, mime, analyzers, signature) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
               "?10, ?11) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
               "mtime_ns = excluded.mtime_ns, ingested_at_ns = excluded.ingested_at_ns, "
               "parent = excluded.parent, name = excluded.name, ext = excluded.ext, "
               "sha256 = excluded.sha256, mime = excluded.mime, analyzers = excluded.analyzers, "
               "signature = excluded.signature RETURNING id");
  Statement clear_findings(conn, "DELETE FROM findings WHERE document_id = ?1");
  Statement add_finding(
      conn, "INSERT INTO findings(document_id, plugin, key, value) VALUES(?1,?2,?3,?4)");
  Statement clear_text(conn, "DELETE FROM texts WHERE rowid = ?1");
  Statement add_text(conn, "INSERT INTO texts(rowid, path, body) VALUES(?1, ?2, ?3)");
  Statement text_size(conn, "SELECT sz FROM texts_docsize WHERE id = ?1");
  Statement clear_metadata(conn, "DELETE FROM metadata_text WHERE rowid = ?1");
  Statement add_metadata(conn, MetadataInsertSql());
  Statement clear_preview(conn, "DELETE FROM previews WHERE document_id = ?1");
  Statement add_preview(
      conn, "INSERT INTO previews(document_id, plugin, mime, bytes) VALUES(?1, ?2, ?3, ?4)");
  Statement clear_parts(conn, "DELETE FROM text_parts WHERE document_id = ?1");
  Statement add_part(conn,
                     "INSERT INTO text_parts(document_id, seq, plugin, kind, start, length) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  for (Statement* s :
       {&up, &clear_findings, &add_finding, &clear_text, &add_text, &text_size, &clear_metadata,
        &add_metadata, &clear_preview, &add_preview, &clear_parts, &add_part}) {
    if (!s->ok()) return s->status();
  }
  // Documents and findings first; the full-text rows (text and metadata words) after, in rowid
  // order. FTS5 flushes its
  // pending index data to a new segment whenever a write goes to a rowid below the previous one,
  // so writing texts in batch order (workers finish in any order; a re-analysis rewrites old
  // rows) would cut a tiny segment per document and leave the merging to later writes.
  struct PendingText {
    int64_t id;
    const DocumentWrite* write;
  };
  std::vector<PendingText> texts;
  texts.reserve(writes.size());
  // Entries of `texts` whose path holds "!/", the only ones the scan below can match (members,
  // and files below a directory whose name ends in '!').
  size_t member_texts = 0;
  for (const auto& w : writes) {
    const DocumentRecord& d = w.document;
    // A document written anew replaces its old members; members in this batch follow it.
    if (d.parent.empty()) {
      ARCHIVUM_RETURN_IF_ERROR(remove_children(d.path));
      // Members of it written earlier in this batch are gone with their rows. A batch of plain
      // files has no path that can match and skips the scan, which is linear in the batch.
      if (member_texts > 0) {
        const std::string lo = d.path + "!/";
        const std::string hi = d.path + "!0";
        member_texts -= std::erase_if(texts, [&](const PendingText& t) {
          return t.write->document.path >= lo && t.write->document.path < hi;
        });
      }
    }
    // BindStatic: `writes` outlives every statement here, and each is reset (bindings cleared)
    // after its step or, on an early return, by its destructor.
    up.BindStatic(1, d.path);
    up.Bind(2, static_cast<int64_t>(d.size));
    up.Bind(3, d.mtime_ns);
    up.Bind(4, d.ingested_at_ns);
    up.BindStatic(5, d.parent);
    up.BindStatic(6, d.name);
    up.BindStatic(7, d.ext);
    up.BindStatic(8, d.sha256);
    up.BindStatic(9, d.mime);
    up.BindStatic(10, d.analyzers);
    up.BindStatic(11, d.signature);
    if (!up.Step()) return up.status().ok() ? Internal("upsert returned no id") : up.status();
    const int64_t id = up.Int(0);
    up.Step();  // completes the statement
    ARCHIVUM_RETURN_IF_ERROR(up.status());
    up.Reset();

    clear_findings.Bind(1, id);
    clear_findings.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_findings.status());
    clear_findings.Reset();
    for (const auto& f : w.findings) {
      add_finding.Bind(1, id);
      add_finding.BindStatic(2, f.plugin);
      add_finding.BindStatic(3, f.key);
      add_finding.BindStatic(4, f.value);
      add_finding.Step();
      ARCHIVUM_RETURN_IF_ERROR(add_finding.status());
      add_finding.Reset();
    }
    for (Statement* clear : {&clear_preview, &clear_parts}) {
      clear->Bind(1, id);
      clear->Step();
      ARCHIVUM_RETURN_IF_ERROR(clear->status());
      clear->Reset();
    }
    if (w.preview) {
      add_preview.Bind(1, id);
      add_preview.BindStatic(2, w.preview->plugin);
      add_preview.BindStatic(3, w.preview->mime);
      add_preview.BindStaticBlob(4, w.preview->bytes);
      add_preview.Step();
      ARCHIVUM_RETURN_IF_ERROR(add_preview.status());
      add_preview.Reset();
    }
    int64_t seq = 0;
    for (const TextPart& part : w.text_parts) {
      add_part.Bind(1, id);
      add_part.Bind(2, seq++);
      add_part.BindStatic(3, part.plugin);
      add_part.BindStatic(4, part.kind);
      add_part.Bind(5, static_cast<int64_t>(part.offset));
      add_part.Bind(6, static_cast<int64_t>(part.size));
      add_part.Step();
      ARCHIVUM_RETURN_IF_ERROR(add_part.status());
      add_part.Reset();
    }
    texts.push_back({id, &w});
    if (d.path.find("!/") != std::string::npos) ++member_texts;
  }

  // Stable: a path written twice in one batch keeps its last text.
  std::stable_sort(texts.begin(), texts.end(),
                   [](const PendingText& a, const PendingText& b) { return a.id < b.id; });
  for (const PendingText& t : texts) {
    clear_text.Bind(1, t.id);
    clear_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_text.status());
    clear_text.Reset();
    add_text.Bind(1, t.id);
    add_text.BindStatic(2, t.write->document.path);
    add_text.BindStatic(3, t.write->text);
    add_text.Step();
    ARCHIVUM_RETURN_IF_ERROR(add_text.status());
    add_text.Reset();
    // The row's token count as FTS5 recorded it, for ranking (published after COMMIT).
    text_size.Bind(1, t.id);
    if (text_size.Step()) {
      const std::string_view sz = text_size.TextView(0);
      lengths->emplace_back(t.id, DocsizeTotal(reinterpret_cast<const unsigned char*>(sz.data()),
                                               static_cast<int>(sz.size())));
    }
    ARCHIVUM_RETURN_IF_ERROR(text_size.status());
    text_size.Reset();

    // The metadata words replace the document's previous ones (metadata_text.h).
    clear_metadata.Bind(1, t.id);
    clear_metadata.Step();
    ARCHIVUM_RETURN_IF_ERROR(clear_metadata.status());
    clear_metadata.Reset();
    const auto row = MetadataRow(t.write->findings);
    bool any = false;
    for (const std::string& column : row) any = any || !column.empty();
    if (!any) continue;
    add_metadata.Bind(1, t.id);
    for (size_t c = 0; c < row.size(); ++c) add_metadata.Bind(static_cast<int>(c) + 2, row[c]);
    add_metadata.Step();
    ARCHIVUM_RETURN_IF_ERROR(add_metadata.status());
    add_metadata.Reset();
  }
  return Status::Ok();
}

}  // namespace archivum::store::sqlite
