// SHA-256 helpers for plugin pinning (plugins.settings.<name>.sha256), the registry signature and
// the quarantine's content keys.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace archivum {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// True if `text` is a SHA-256 digest in hex: exactly 64 hex digits, either case.
bool IsSha256Hex(std::string_view text);

// Lower-case hex SHA-256 of a file's content. Errors: NOT_FOUND/INTERNAL naming the file.
StatusOr<std::string> FileSha256Hex(const std::filesystem::path& file);

// SHA-256 over bytes that arrive in pieces (content streamed to a client, checked against the
// catalog as it goes). Thread safety: one owner at a time; move-only.
class Sha256Stream {
 public:
  Sha256Stream();
  // Adds the next piece. Returns false if OpenSSL failed (HexDigest is then empty).
  bool Update(std::string_view data);
  // Lower-case hex SHA-256 of everything added; empty if OpenSSL failed. Call once.
  std::string HexDigest();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

}  // namespace archivum
