// Who may call: what both transports enforce, each in one place (the gRPC handlers, health
// service and reflection gate; the HTTP session once a request head is read).
//
// Health means grpc.health.v1.Health, gRPC reflection, and HTTP GET /healthz, /readyz and
// /metrics: probes, load balancers and scrapers rarely carry credentials, and reflection reveals
// only the API's schema, which is public. With open_health they answer without a token.
//
// Thread safety: a value; const methods are safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "auth/live_tokens.h"
#include "auth/token_verifier.h"
#include "common/status.h"

namespace archivum::auth {

struct AccessPolicy {
  std::shared_ptr<const TokenVerifier> tokens;  // null: authentication is off
  bool open_health = true;
  // Set by a daemon that reloads its token file (SIGHUP): when authentication is on, calls are
  // checked against the tokens `live` holds at the time, not against `tokens`, which then only
  // says that authentication is on. Null: `tokens` is the set in force.
  std::shared_ptr<const LiveTokens> live;

  bool enabled() const { return tokens != nullptr; }

  // Whether a call of this kind must present a token.
  bool Requires(bool health) const { return tokens != nullptr && !(health && open_health); }

  // OK, or UNAUTHENTICATED (see TokenVerifier::Check). `authorization` is the header's value,
  // nullopt when absent.
  Status Authorize(std::optional<std::string_view> authorization, bool health) const {
    if (!Requires(health)) return Status::Ok();
    return live ? live->Check(authorization) : tokens->Check(authorization);
  }
};

}  // namespace archivum::auth
