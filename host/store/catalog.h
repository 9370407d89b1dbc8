// The catalog: the durable record of every ingested document.
//
// `Catalog` is the interface the service core writes and queries through, so that a shared
// server database can replace the embedded SQLite store (sqlite_catalog.h) when one machine is
// not enough. Paths are the catalog's keys: absolute file paths, or synthetic ones such as
// "upload:name" and "outer.zip!/member".
//
// Thread safety: implementations are safe for concurrent use from any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace archivum::store {

// What the catalog knows about one document.
struct DocumentRecord {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ingested_at_ns = 0;
};

// One match of a path search.
struct PathMatch {
  DocumentRecord document;
  double score = 0;
};

struct PathSearchResult {
  std::vector<PathMatch> matches;  // best first, after offset/limit
  uint64_t total = 0;              // matches before offset/limit
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // The stored record for `path`, or nullopt if the path is not cataloged.
  virtual StatusOr<std::optional<DocumentRecord>> Find(std::string_view path) = 0;

  // Every document whose path equals `dir` or lies below it (dir + "/..."), sorted by path.
  virtual StatusOr<std::vector<DocumentRecord>> ListUnder(std::string_view dir) = 0;

  // Atomically inserts or replaces `upserts` and deletes `removals`: either all of it is durable
  // afterwards or none of it is.
  virtual Status Commit(const std::vector<DocumentRecord>& upserts,
                        const std::vector<std::string>& removals) = 0;

  // Documents whose path contains every word (case-insensitive, ASCII folding), best first:
  // words found in the file name rank above words found only in a directory name, then shorter
  // paths first. Precondition: `words` is non-empty and has no empty word.
  virtual StatusOr<PathSearchResult> SearchPaths(const std::vector<std::string>& words,
                                                 uint32_t limit, uint32_t offset) = 0;
};

}  // namespace archivum::store
