// MIME type detection with libmagic, the logic of the `filetype` plugin.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

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
};

// Parses the plugin's JSON configuration: {"bytes": <size, default 1048576>, "description":
// "always" | "non-text" (default) | "never"}; true and false are accepted for "always" and
// "never". Throws sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the offending key.
Options ParseOptions(std::string_view config_json);

struct Detection {
  std::string mime;         // e.g. "image/png"; never empty
  std::string encoding;     // libmagic's charset, e.g. "us-ascii", "utf-8", "binary"; may be empty
  std::string description;  // e.g. "PNG image data, 1 x 1, 8-bit/color RGBA, non-interlaced";
                            // empty when options.description skips this file
};

// Detects file types from leading bytes using libmagic's default database.
//
// Thread safety: Detect() is safe to call concurrently. A libmagic handle is not thread-safe, so
// each call borrows one from a pool guarded by mu_ and returns it afterwards; the pool grows to
// the number of concurrent callers (each handle maps the compiled database, so this is cheap).
class Detector {
 public:
  // Loads the default magic database (magic_load(m, NULL), which honours $MAGIC). Throws
  // sdk::Error(ARCHIVUM_ERROR) with libmagic's reason if it cannot be loaded.
  explicit Detector(Options options);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Examines the first options.bytes bytes of `content`. All strings in the result are valid
  // UTF-8. Throws sdk::Error(ARCHIVUM_ERROR) if libmagic fails.
  Detection Detect(std::string_view content) const;

  const Options& options() const { return options_; }

 private:
  class Lease;

  // Opens and loads one handle; throws on failure.
  magic_set* OpenHandle() const;

  const Options options_;
  mutable std::mutex mu_;
  mutable std::vector<magic_set*> idle_;  // GUARDED_BY(mu_); owned, closed in the destructor
};

}  // namespace archivum::bundled::filetype
