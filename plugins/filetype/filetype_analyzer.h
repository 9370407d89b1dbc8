// MIME type detection with libmagic, the logic of the `filetype` plugin.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/sha256.h"

struct magic_set;  // libmagic's handle type (magic_t is `struct magic_set*`).

namespace archivum::bundled::filetype {

enum class Describe {
  kAlways,   // every file
  kNonText,  // files whose MIME type is not text/* (the default)
  kNever,
};

struct Options {
  // How many leading bytes of a file libmagic examines.
  uint64_t bytes = uint64_t{1} << 20;
  // When to produce libmagic's human-readable description as well. Each description costs a
  // second full libmagic pass over the file (libmagic yields either the MIME type or the
  // description per call), which roughly doubles the plugin's CPU time for that file; the MIME
  // type and encoding are the same either way. For text files the description rarely says more
  // than the MIME type ("C source, ASCII text" for text/x-c), while for binary formats it
  // carries what users look for (architecture, image size, compression...), hence the default.
  Describe description = Describe::kNonText;
  // How many distinct contents' results Detect() remembers (least recently used go first; 0:
  // none). libmagic's answer depends only on the bytes it examines, so a file whose examined
  // bytes equal an earlier file's (same SHA-256) gets the earlier result without another
  // libmagic pass: the same answer, for a SHA-256 of the examined bytes, which costs far less
  // than libmagic's pass. Copies are common (vendored headers, backups). An entry takes about
  // 200 bytes.
  uint64_t cache_entries = 4096;
};

// Parses the plugin's JSON configuration: {"bytes": <size, default 1048576>, "description":
// "always" | "non-text" (default) | "never", "cache": <entries, default 4096, 0 = off>}; true and
// false are accepted for "always" and "never". Throws sdk::Error(ARCHIVUM_INVALID_ARGUMENT)
// naming the offending key.
Options ParseOptions(std::string_view config_json);

struct Detection {
  std::string mime;         // e.g. "image/png"; never empty
  std::string encoding;     // libmagic's charset, e.g. "us-ascii", "utf-8", "binary"; may be empty
  std::string description;  // e.g. "PNG image data, 1 x 1, 8-bit/color RGBA, non-interlaced";
                            // empty when options.description skips this file
};

// Counters of Detect()'s result cache.
struct CacheStats {
  uint64_t hits = 0;    // results served from the cache
  uint64_t misses = 0;  // libmagic passes whose results were added to it
  uint64_t entries = 0;
};

// The MIME type a file's name claims when libmagic's answer `detected` is not specific: for
// application/octet-stream (and application/x-empty), any document or container extension this
// table knows (pdf, docx, odt, epub, eml, zip, ...); for application/zip, the ZIP-based document
// formats (docx, xlsx, pptx, odt, ods, odp, epub); for application/octet-stream and image/tiff,
// the camera RAW extensions (cr2, cr3, nef, nrw, arw, dng, orf, rw2, raf, pef, srw: their
// image/x-<maker>-<format> types). nullopt otherwise: libmagic's answer stands.
// The extension is matched without case. Pure function.
std::optional<std::string_view> MimeFromName(std::string_view detected, std::string_view name);

// Detects file types from leading bytes using libmagic's default database.
//
// Thread safety: Detect() and cache_stats() are safe to call concurrently. A libmagic handle is
// not thread-safe, so each call borrows one from a pool guarded by mu_ and returns it afterwards;
// the pool grows to the number of concurrent callers (each handle maps the compiled database, so
// this is cheap). The result cache has its own lock, held only to look up or insert.
class Detector {
 public:
  // Loads the default magic database (magic_load(m, NULL), which honours $MAGIC). Throws
  // sdk::Error(ARCHIVUM_ERROR) with libmagic's reason if it cannot be loaded.
  explicit Detector(Options options);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Examines the first options.bytes bytes of `content`. All strings in the result are valid
  // UTF-8. Throws sdk::Error(ARCHIVUM_ERROR) if libmagic (or, with the cache on, OpenSSL) fails.
  Detection Detect(std::string_view content) const;

  const Options& options() const { return options_; }
  CacheStats cache_stats() const;

 private:
  class Lease;

  // A least-recently-used map from the SHA-256 of examined bytes to libmagic's result.
  class ResultCache {
   public:
    explicit ResultCache(size_t capacity) : capacity_(capacity) {}
    // The result for `key`, now the most recently used; nullopt if absent.
    std::optional<Detection> Find(const Sha256Digest& key);
    // Remembers `detection` for `key`, evicting the least recently used entry when full.
    void Insert(const Sha256Digest& key, const Detection& detection);
    CacheStats stats() const;

   private:
    struct KeyHash {
      size_t operator()(const Sha256Digest& key) const;
    };
    using Entry = std::pair<Sha256Digest, Detection>;
    const size_t capacity_;
    mutable std::mutex mu_;
    std::list<Entry> order_;  // GUARDED_BY(mu_); most recently used first
    std::unordered_map<Sha256Digest, std::list<Entry>::iterator, KeyHash>
        index_;            // GUARDED_BY(mu_)
    uint64_t hits_ = 0;    // GUARDED_BY(mu_)
    uint64_t misses_ = 0;  // GUARDED_BY(mu_)
  };

  // Opens and loads one handle; throws on failure.
  magic_set* OpenHandle() const;
  // What libmagic says about `head` (the examined bytes), without the cache.
  Detection RunMagic(std::string_view head) const;

  const Options options_;
  mutable std::mutex mu_;
  mutable std::vector<magic_set*> idle_;  // GUARDED_BY(mu_); owned, closed in the destructor
  // Both null when options.cache_entries is 0.
  std::unique_ptr<const Sha256> sha256_;
  std::unique_ptr<ResultCache> cache_;
};

}  // namespace archivum::bundled::filetype
