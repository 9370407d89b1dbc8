// The catalog's read connections: a pool of them, lent to one caller at a time.
//
// Reads run on their own connections, concurrently with each other and with the writer, as WAL
// allows. A connection keeps its prepared statements, its full-text function state and its
// count cache across loans, so repeated lookups and searches of the same shape are not prepared
// (or counted) again.
//
// Thread safety: ReaderPool is safe for concurrent use; a Reader belongs to the thread that
// holds its lease.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/count_cache.h"
#include "store/sqlite/facet_functions.h"
#include "store/sqlite/fts_functions.h"

namespace archivum::store::sqlite {

// A read connection with its statement cache, FTS and facet function state and count cache.
struct Reader {
  explicit Reader(sqlite3* db) : conn(db) {}
  Connection conn;
  FtsFunctionContext fts;
  FacetFunctionContext facets;
  CountCache counts;
};

class ReaderPool {
 public:
  // Connections are opened on `file`, an existing catalog database, as they are needed.
  explicit ReaderPool(std::string file) : file_(std::move(file)) {}
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // An idle reader, or a new one (with the catalog's tokenizer, FTS and facet functions
  // registered).
  // Errors: those of opening the connection.
  StatusOr<std::unique_ptr<Reader>> Acquire();

  // Takes `reader` back: out of any transaction it was left in, with its statement cache
  // bounded. Readers past the idle bound, or that cannot leave their transaction, are closed.
  void Release(std::unique_ptr<Reader> reader);

 private:
  const std::string file_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Reader>> idle_;  // guarded by mu_
};

// RAII loan of a reader from a pool; reader() is null when none could be had (status() says
// why).
class ReadLease {
 public:
  explicit ReadLease(ReaderPool& pool) : pool_(pool) {
    auto reader = pool_.Acquire();
    if (reader.ok()) {
      reader_ = std::move(*reader);
    } else {
      status_ = reader.status();
    }
  }
  ~ReadLease() {
    if (reader_) pool_.Release(std::move(reader_));
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  Reader* reader() const { return reader_.get(); }
  Connection& conn() const { return reader_->conn; }
  const Status& status() const { return status_; }

 private:
  ReaderPool& pool_;
  std::unique_ptr<Reader> reader_;
  Status status_;
};

}  // namespace archivum::store::sqlite
