#include "filetype/filetype_analyzer.h"

#include <magic.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "archivum/plugin.hpp"
#include "common/config.h"
#include "common/utf8.h"

namespace archivum::bundled::filetype {
namespace {

// libmagic never needs more than this to decide; larger values only cost time.
constexpr uint64_t kMaxBytes = uint64_t{1} << 30;
// About 200 MB of cache at most (an entry takes about 200 bytes).
constexpr int64_t kMaxCacheEntries = int64_t{1} << 20;

std::string Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(' ');
  return std::string(s.substr(begin, end - begin + 1));
}

}  // namespace

Options ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json, {"bytes", "description", "cache"});
  Options options;
  options.bytes = config.Size("bytes", options.bytes, 1, kMaxBytes);
  options.cache_entries = static_cast<uint64_t>(
      config.Integer("cache", static_cast<int64_t>(options.cache_entries), 0, kMaxCacheEntries));
  const std::string describe =
      config.Choice("description", "non-text", {"always", "non-text", "never", "true", "false"});
  if (describe == "always" || describe == "true") {
    options.description = Describe::kAlways;
  } else if (describe == "never" || describe == "false") {
    options.description = Describe::kNever;
  } else {
    options.description = Describe::kNonText;
  }
  return options;
}

// Borrows a handle from the pool (or opens a new one) and gives it back on destruction.
class Detector::Lease {
 public:
  explicit Lease(const Detector& owner) : owner_(owner) {
    {
      std::lock_guard lock(owner_.mu_);
      if (!owner_.idle_.empty()) {
        handle_ = owner_.idle_.back();
        owner_.idle_.pop_back();
      }
    }
    if (handle_ == nullptr) handle_ = owner_.OpenHandle();
  }
  ~Lease() {
    std::lock_guard lock(owner_.mu_);
    try {
      owner_.idle_.push_back(handle_);
    } catch (...) {  // Out of memory: drop the handle rather than leak it.
      magic_close(handle_);
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  magic_set* get() const { return handle_; }

 private:
  const Detector& owner_;
  magic_set* handle_ = nullptr;
};

size_t Detector::ResultCache::KeyHash::operator()(const Sha256Digest& key) const {
  size_t h = 0;  // a SHA-256 digest is uniformly distributed: any of its bytes will do
  std::memcpy(&h, key.data(), sizeof h);
  return h;
}

std::optional<Detection> Detector::ResultCache::Find(const Sha256Digest& key) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  ++hits_;
  return it->second->second;
}

void Detector::ResultCache::Insert(const Sha256Digest& key, const Detection& detection) {
  std::lock_guard lock(mu_);
  ++misses_;
  if (index_.count(key) != 0) return;  // another thread examined the same bytes meanwhile
  order_.emplace_front(key, detection);
  index_.emplace(key, order_.begin());
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

CacheStats Detector::ResultCache::stats() const {
  std::lock_guard lock(mu_);
  return {hits_, misses_, order_.size()};
}

Detector::Detector(Options options) : options_(options) {
  // Open one handle now so that a missing or broken database fails create(), not every file.
  idle_.push_back(OpenHandle());
  if (options_.cache_entries > 0) {
    sha256_ = std::make_unique<const Sha256>();
    cache_ = std::make_unique<ResultCache>(static_cast<size_t>(options_.cache_entries));
  }
}

Detector::~Detector() {
  for (magic_set* handle : idle_) magic_close(handle);
}

magic_set* Detector::OpenHandle() const {
  magic_t handle = magic_open(MAGIC_NONE);
  if (handle == nullptr) throw sdk::Error(ARCHIVUM_ERROR, "libmagic: magic_open failed");
  if (magic_load(handle, nullptr) != 0) {
    const char* why = magic_error(handle);
    std::string message = "libmagic: cannot load the default magic database";
    if (why != nullptr) message += std::string(": ") + why;
    magic_close(handle);
    throw sdk::Error(ARCHIVUM_ERROR, SanitizeUtf8(message));
  }
  // libmagic looks at no more than MAGIC_PARAM_BYTES_MAX bytes of a buffer; raise it so that
  // the configured size is honoured (never lower it below libmagic's default).
  size_t bytes_max = 0;
  if (magic_getparam(handle, MAGIC_PARAM_BYTES_MAX, &bytes_max) == 0 &&
      bytes_max < options_.bytes) {
    bytes_max = static_cast<size_t>(options_.bytes);
    magic_setparam(handle, MAGIC_PARAM_BYTES_MAX, &bytes_max);
  }
  return handle;
}

Detection Detector::Detect(std::string_view content) const {
  const std::string_view head =
      content.substr(0, static_cast<size_t>(std::min<uint64_t>(options_.bytes, content.size())));
  if (!cache_) return RunMagic(head);
  const Sha256Digest key = sha256_->Digest(head);
  if (std::optional<Detection> cached = cache_->Find(key)) return std::move(*cached);
  Detection detection = RunMagic(head);
  cache_->Insert(key, detection);
  return detection;
}

CacheStats Detector::cache_stats() const {
  return cache_ ? cache_->stats() : CacheStats{};
}

Detection Detector::RunMagic(std::string_view head) const {
  // libmagic wants a non-null pointer even for an empty buffer.
  const void* data = head.empty() ? static_cast<const void*>("") : head.data();

  Lease lease(*this);
  magic_t m = lease.get();
  auto run = [&](int flags, const char* what) {
    if (magic_setflags(m, flags) != 0) {
      throw sdk::Error(ARCHIVUM_ERROR, std::string("libmagic: cannot set flags for ") + what);
    }
    const char* result = magic_buffer(m, data, head.size());
    if (result == nullptr) {
      const char* why = magic_error(m);
      throw sdk::Error(ARCHIVUM_ERROR, SanitizeUtf8(std::string("libmagic: ") + what + ": " +
                                                    (why != nullptr ? why : "unknown error")));
    }
    return SanitizeUtf8(result);
  };

  Detection detection;
  // MAGIC_MIME yields "type/subtype; charset=xxx": type and encoding in one pass.
  const std::string mime = run(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING, "MIME type");
  const size_t semicolon = mime.find(';');
  detection.mime = Trim(std::string_view(mime).substr(0, semicolon));
  if (semicolon != std::string::npos) {
    constexpr std::string_view kCharset = "charset=";
    const size_t at = mime.find(kCharset, semicolon);
    if (at != std::string::npos) detection.encoding = Trim(mime.substr(at + kCharset.size()));
  }
  if (detection.mime.empty()) detection.mime = "application/octet-stream";
  const bool text = detection.mime.starts_with("text/");
  if (options_.description == Describe::kAlways ||
      (options_.description == Describe::kNonText && !text)) {
    detection.description = run(MAGIC_NONE, "description");
  }
  return detection;
}

std::optional<std::string_view> MimeFromName(std::string_view detected, std::string_view name) {
  struct Claim {
    std::string_view ext;
    std::string_view mime;
    bool zip_based;
  };
  static constexpr Claim kClaims[] = {
      {"pdf", "application/pdf", false},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", true},
      {"odt", "application/vnd.oasis.opendocument.text", true},
      {"ods", "application/vnd.oasis.opendocument.spreadsheet", true},
      {"odp", "application/vnd.oasis.opendocument.presentation", true},
      {"epub", "application/epub+zip", true},
      {"eml", "message/rfc822", false},
      {"mbox", "application/mbox", false},
      {"zip", "application/zip", false},
      {"7z", "application/x-7z-compressed", false},
      {"rar", "application/vnd.rar", false},
      {"tar", "application/x-tar", false},
      {"tgz", "application/gzip", false},
      {"gz", "application/gzip", false},
      {"bz2", "application/x-bzip2", false},
      {"xz", "application/x-xz", false},
      {"zst", "application/zstd", false},
  };
  // Camera RAW files: libmagic 5.44 names CR2, ORF and RAF by their signatures, but calls CR3 and
  // RW2 nothing specific and the TIFF-based ones (NEF, NRW, ARW, DNG, PEF, SRW) TIFF; their
  // extension says which camera format they are, so that the image plugin treats them as RAWs.
  struct RawClaim {
    std::string_view ext;
    std::string_view mime;
  };
  static constexpr RawClaim kRawClaims[] = {
      {"cr2", "image/x-canon-cr2"},   {"cr3", "image/x-canon-cr3"},
      {"nef", "image/x-nikon-nef"},   {"nrw", "image/x-nikon-nrw"},
      {"arw", "image/x-sony-arw"},    {"dng", "image/x-adobe-dng"},
      {"orf", "image/x-olympus-orf"}, {"rw2", "image/x-panasonic-rw2"},
      {"raf", "image/x-fuji-raf"},    {"pef", "image/x-pentax-pef"},
      {"srw", "image/x-samsung-srw"},
  };
  const bool unknown = detected == "application/octet-stream" || detected == "application/x-empty";
  const bool zip = detected == "application/zip";
  const bool tiff = detected == "image/tiff";
  if (!unknown && !zip && !tiff) return std::nullopt;
  const size_t slash = name.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view ext = base.substr(dot + 1);
  const auto is = [ext](std::string_view lower) {
    if (ext.size() != lower.size()) return false;
    for (size_t i = 0; i < ext.size(); ++i) {
      char ch = ext[i];
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if (ch != lower[i]) return false;
    }
    return true;
  };
  for (const RawClaim& c : kRawClaims) {
    if (is(c.ext)) return zip ? std::nullopt : std::optional(c.mime);
  }
  if (tiff) return std::nullopt;  // a TIFF named report.pdf is a TIFF
  for (const Claim& c : kClaims) {
    if (!is(c.ext)) continue;
    if (zip && !c.zip_based) return std::nullopt;
    return c.mime;
  }
  return std::nullopt;
}

}  // namespace archivum::bundled::filetype
