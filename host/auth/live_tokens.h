// The accepted tokens of a daemon that rereads its token file on a live reload.
//
// Every copy of an auth::AccessPolicy made at start-up (one per transport and service) shares one
// LiveTokens: Replace() puts a new token set in force for every call checked after it returns,
// on every connection, including connections opened before the reload. A call already admitted
// is not checked again.
//
// Thread safety: every method is safe from any thread. Ownership: shared (std::shared_ptr); the
// TokenVerifier in force is shared with the checks running at the time of a Replace().
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "auth/token_verifier.h"
#include "common/status.h"

namespace archivum::auth {

class LiveTokens {
 public:
  // `tokens` must not be null.
  explicit LiveTokens(std::shared_ptr<const TokenVerifier> tokens) : tokens_(std::move(tokens)) {}

  // As TokenVerifier::Check, against the tokens in force.
  Status Check(std::optional<std::string_view> authorization) const {
    return Get()->Check(authorization);
  }

  // `tokens` must not be null.
  void Replace(std::shared_ptr<const TokenVerifier> tokens) {
    std::lock_guard lock(mu_);
    tokens_.swap(tokens);
  }

  std::shared_ptr<const TokenVerifier> Get() const {
    std::lock_guard lock(mu_);
    return tokens_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const TokenVerifier> tokens_;  // guarded by mu_; never null
};

}  // namespace archivum::auth
