// Bearer-token verification against a list of accepted tokens.
//
// Tokens are kept only as SHA-256 digests: a token file may hold digests ("sha256:<hex>"), and
// plain tokens are hashed as they are loaded, so the daemon never keeps a token in memory
// longer than it takes to hash it. A presented token is hashed and compared with every stored
// digest in constant time (CRYPTO_memcmp, no early exit), so neither the comparison nor which
// entry matched shows in the timing.
//
// Thread safety: immutable after construction; Check is safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace archivum::auth {

class TokenVerifier {
 public:
  using Digest = std::array<uint8_t, 32>;

  // Reads a token file (see Parse). Errors name `key` (the config key) and the file.
  static StatusOr<std::shared_ptr<const TokenVerifier>> Load(const std::filesystem::path& file,
                                                             std::string_view key);

  // One entry per line: "sha256:<64 hex digits, either case>" is the digest of a token; any
  // other non-empty line is a token itself. Surrounding whitespace is ignored; lines starting
  // with '#' are comments. A token cannot contain whitespace (it travels as "Bearer <token>").
  // Errors: INVALID_ARGUMENT "<source>:<line>: ..." for a malformed line (without echoing it:
  // it may be a secret), or "<source>: ..." when the file holds no token at all.
  static StatusOr<std::shared_ptr<const TokenVerifier>> Parse(std::string_view text,
                                                              std::string_view source);

  // Checks the value of an `authorization` header/metadata entry (nullopt: absent). OK for
  // "Bearer <token>" (scheme case-insensitive) with an accepted token; otherwise
  // UNAUTHENTICATED, with a message that tells a missing token from a malformed header and from
  // a wrong token, and never contains the presented value.
  Status Check(std::optional<std::string_view> authorization) const;

  size_t size() const { return digests_.size(); }

  static Digest Sha256(std::string_view data);

 private:
  explicit TokenVerifier(std::vector<Digest> digests) : digests_(std::move(digests)) {}

  std::vector<Digest> digests_;
};

}  // namespace archivum::auth
