// Persistent path -> MinHash signature map of the `similar` plugin, in SQLite.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "similar/minhash.h"

namespace archivum::bundled::similar {

// One SQLite database (WAL mode) with a table signatures(path PRIMARY KEY, signature BLOB) and
// a meta table recording which parameters produced the signatures. Signatures are stored as
// num_hashes little-endian 64-bit values.
//
// Thread safety: all methods are safe to call concurrently; they share one connection guarded
// by mu_. Other processes may open the same file (SQLite locking, 5 s busy timeout).
class SignatureStore {
 public:
  // Opens or creates `file` ("" or ":memory:" for a private in-memory database). `params`
  // describes the algorithm and settings (e.g. "minhash-v1 hashes=128 shingle=3"): if the
  // database holds signatures made with other parameters, they cannot be compared with new ones,
  // so they are deleted and *dropped tells how many. Throws sdk::Error(ARCHIVUM_ERROR) with
  // SQLite's reason on failure.
  static std::unique_ptr<SignatureStore> Open(const std::string& file, std::string_view params,
                                              size_t* dropped);
  ~SignatureStore();
  SignatureStore(const SignatureStore&) = delete;
  SignatureStore& operator=(const SignatureStore&) = delete;

  // Inserts or replaces the signature of `path`.
  void Put(std::string_view path, const Signature& signature);
  // Deletes `path`'s signature if there is one.
  void Remove(std::string_view path);
  // The signature of `path`, or std::nullopt.
  std::optional<Signature> Get(std::string_view path);
  // Calls `visit` for every stored signature, holding the lock: `visit` must be quick and must
  // not call back into the store. Rows whose blob is not a valid signature are skipped.
  void ForEach(const std::function<void(std::string_view path, const Signature&)>& visit);
  // Number of stored signatures.
  size_t Count();

 private:
  explicit SignatureStore(sqlite3* db) : db_(db) {}

  std::mutex mu_;
  sqlite3* db_;  // GUARDED_BY(mu_); owned, closed in the destructor
};

}  // namespace archivum::bundled::similar
