// Near-duplicate detection, the logic of the `similar` plugin: MinHash signatures of extracted
// text (minhash.h) kept in the plugin's own SQLite database (signature_store.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "similar/minhash.h"
#include "similar/signature_store.h"

namespace archivum::bundled::similar {

struct Options {
  double threshold = 0.5;  // in (0, 1]: hits need an estimated similarity at least this high
  int num_hashes = 128;    // in [8, 1024]: signature slots; more is more precise and slower
  int shingle = 3;         // in [1, 16]: words per shingle
};

// Parses {"threshold": 0.5, "num_hashes": 128, "shingle": 3}. Throws
// sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the offending key.
Options ParseOptions(std::string_view config_json);

// The database file inside the plugin's data directory.
inline constexpr std::string_view kDatabaseName = "signatures.sqlite3";

// Thread safety: all methods are safe to call concurrently (signatures are computed without a
// lock; the store serializes database access).
class SimilarityIndex {
 public:
  // Opens `<data_dir>/signatures.sqlite3`, or a private in-memory database if data_dir is empty
  // (the host has no store; nothing then survives a restart). Signatures made with a different
  // num_hashes, shingle or algorithm version are deleted; `log` (may be empty) hears about that.
  // Throws sdk::Error on failure.
  SimilarityIndex(const Options& options, std::string_view data_dir,
                  const std::function<void(std::string_view)>& log);

  enum class Status { kStored, kNoText, kCancelled };
  struct Indexed {
    Status status = Status::kNoText;
    uint64_t shingles = 0;
    std::string signature_prefix;  // hex of the first slot, for display
  };

  // Computes the signature of `text` and stores it under `path`, replacing an older one. Text
  // without words removes `path`'s old signature (the file changed) and yields kNoText; nothing
  // is written if `cancelled` returns true.
  Indexed Index(std::string_view path, std::string_view text,
                const std::function<bool()>& cancelled);

  struct Hit {
    std::string path;
    double score = 0;  // estimated Jaccard similarity of the shingle sets, in [threshold, 1]
  };

  // Paths whose stored signature is at least options.threshold similar to `path`'s, best first
  // (ties by path), excluding `path` itself. Throws sdk::Error(ARCHIVUM_INVALID_ARGUMENT) for an
  // empty path and sdk::Error(ARCHIVUM_NOT_FOUND) if `path` has no signature.
  std::vector<Hit> FindSimilar(std::string_view path);

  // Makes every signature stored so far durable (SignatureStore::Flush). Throws sdk::Error.
  void Flush() { store_->Flush(); }

  const Options& options() const { return options_; }

 private:
  const Options options_;
  const MinHasher hasher_;
  std::unique_ptr<SignatureStore> store_;
};

}  // namespace archivum::bundled::similar
