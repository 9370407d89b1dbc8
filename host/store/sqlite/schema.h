// The catalog's schema: the version this build writes and the migrations that bring an older
// store forward.
//
// Tables at kSchemaVersion:
//   documents      id INTEGER PRIMARY KEY, path TEXT UNIQUE, size, mtime_ns, ingested_at_ns,
//                  parent, name, ext, sha256, mime, analyzers, signature (all NOT NULL)
//   findings       document_id (documents.id, ON DELETE CASCADE), plugin, key, value
//   texts          FTS5 over (path, body) with the catalog's tokenizer (tokenizer.h); rowid =
//                  documents.id, deleted with its document by a trigger
//   metadata_text  FTS5 over the metadata words (metadata_text.h), same tokenizer; rowid =
//                  documents.id, deleted with its document by a trigger
//   catalog_state  key/value; 'text_generation' is bumped by every commit (doc_lengths.h)
//   quarantine     (sha256, plugin, plugin_version) PRIMARY KEY, reason, path, at_ns: content a
//                  plugin version must not be given again (Catalog::AddQuarantine)
//   previews       document_id PRIMARY KEY (documents.id, ON DELETE CASCADE), plugin, mime,
//                  bytes BLOB: the document's thumbnail (Catalog::GetPreview)
//   text_parts     (document_id (ON DELETE CASCADE), seq) PRIMARY KEY, plugin, kind, start,
//                  length: the marked parts of the document's text (Catalog::GetText)
//   Partial indexes findings_pages (CAST(value AS INTEGER) WHERE key = 'pages') and
//   findings_created (value WHERE key = 'created') serve the pages and created comparisons;
//   findings_taken (substr(value, 1, 19) WHERE key = 'taken'), findings_width and
//   findings_height (CAST(value AS INTEGER)) the taken, width and height comparisons, and
//   findings_gps_lat (CAST(value AS REAL)) and findings_gps_lon (document_id, plugin,
//   CAST(value AS REAL)) near:'s bounding box and pairing (geo.h, query_compiler.h);
//   findings_facets ((document_id, key, value, plugin) WHERE key IN the faceted metadata keys) the
//   metadata facets (facets.h).
//
// Both FTS5 tables need the tokenizer "archivum" registered on a connection (RegisterTokenizer)
// before it reads or writes them; other tools (the sqlite3 shell) can read every other table.
//
// The version is PRAGMA user_version. Migrations run forward only; a database newer than this
// build is refused rather than guessed at.
//
// Thread safety: Migrate uses the connection it is given, which no other thread may use
// meanwhile.
#pragma once

#include <sqlite3.h>

#include <string>

#include "common/status.h"

namespace archivum::store::sqlite {

// The schema version this build writes.
inline constexpr int kSchemaVersion = 10;

// Migrates the database on `db` (named `file` in errors and logs) to kSchemaVersion, one
// transaction per version; a migration that rebuilds the text index logs a line before and after.
// Precondition: the tokenizer is registered on `db` (RegisterTokenizer). Errors:
// FAILED_PRECONDITION if its version is newer than this build's; SQLite's errors otherwise (the
// failed version's transaction is rolled back).
Status Migrate(sqlite3* db, const std::string& file);

}  // namespace archivum::store::sqlite
