// SHA-256 with OpenSSL 3's EVP interface, for the bundled plugins that need it: `hash` reports
// the digest of every file, `filetype` keys its result cache with it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_st;  // OpenSSL's EVP_MD.

namespace archivum::bundled {

using Sha256Digest = std::array<uint8_t, 32>;

// Bytes hashed between two polls of HexDigest's cancellation check: about a millisecond of
// work, so a multi-gigabyte mapped file stops promptly when its deadline passes.
inline constexpr size_t kSha256ChunkSize = size_t{1} << 20;

// Computes SHA-256 digests.
//
// Thread safety: the const methods are safe to call concurrently; the fetched algorithm is
// immutable and every call uses its own digest context.
class Sha256 {
 public:
  // Fetches SHA-256 from OpenSSL's default provider once (fetching per call is slow). Throws
  // sdk::Error(ARCHIVUM_ERROR) if it is unavailable.
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // The digest of `data`, in one call. Throws sdk::Error(ARCHIVUM_ERROR) if OpenSSL fails.
  Sha256Digest Digest(std::string_view data) const;

  // Returns the lowercase hex digest (64 characters) of `data`, hashing `chunk_size` bytes at a
  // time and calling `cancelled` before each chunk; returns std::nullopt as soon as it returns
  // true. `consumed(n)`, if set, is told after every chunk that data[0, n) has been hashed, so the
  // caller can let those pages go. Throws sdk::Error(ARCHIVUM_ERROR) if OpenSSL fails.
  std::optional<std::string> HexDigest(std::string_view data,
                                       const std::function<bool()>& cancelled,
                                       size_t chunk_size = kSha256ChunkSize,
                                       const std::function<void(size_t)>& consumed = {}) const;

 private:
  evp_md_st* md_ = nullptr;  // owned; EVP_MD_free in the destructor
};

}  // namespace archivum::bundled
