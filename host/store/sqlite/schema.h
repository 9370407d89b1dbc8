// The catalog's schema: the version this build writes and the migrations that bring an older
// store forward.
//
// Tables at kSchemaVersion:
//   documents      id INTEGER PRIMARY KEY, path TEXT UNIQUE, size, mtime_ns, ingested_at_ns,
//                  parent, name, ext, sha256, mime, analyzers, signature (all NOT NULL)
//   findings       document_id (documents.id, ON DELETE CASCADE), plugin, key, value
//   texts          FTS5 over (path, body), unicode61 with diacritics removed; rowid =
//                  documents.id, deleted with its document by a trigger
//   catalog_state  key/value; 'text_generation' is bumped by every commit (doc_lengths.h)
//   quarantine     (sha256, plugin, plugin_version) PRIMARY KEY, reason, path, at_ns: content a
//                  plugin version must not be given again (Catalog::AddQuarantine)
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
inline constexpr int kSchemaVersion = 6;

// Migrates the database on `db` (named `file` in errors) to kSchemaVersion, one transaction
// per version. Errors: FAILED_PRECONDITION if its version is newer than this build's; SQLite's
// errors otherwise (the failed version's transaction is rolled back).
Status Migrate(sqlite3* db, const std::string& file);

}  // namespace archivum::store::sqlite
