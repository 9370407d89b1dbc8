// The gRPC transport: FileManager on the callback API, plus reflection and grpc.health.v1.
//
// Long calls never block gRPC's threads: they are posted to a bounded worker pool, which runs the
// service core and finishes the call; short lookups run inline (see FileManagerService). Lifecycle:
// Start → (serving) → Shutdown → destroy.
//
// Security: plaintext, or TLS from config.tls (mutual TLS when client_ca is set: a client
// without a certificate signed by it fails the handshake). The access policy is enforced by
// each service (see api/grpc/access.h).
//
// Thread safety: Start/Shutdown from one controlling thread; everything else is internal.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "auth/access_policy.h"
#include "auth/tls_files.h"
#include "common/status.h"
#include "config/config.h"
#include "core/file_manager.h"
#include "metrics/metrics.h"

namespace archivum::api {

class GrpcServer {
 public:
  // Binds `config.listen` and starts serving `core` (which must outlive the server) with
  // `workers` threads for the calls, admitting callers per `policy`. Health reports SERVING
  // once this returns. `metrics` (may be null; must outlive the server) records every
  // FileManager call's duration and status.
  // Errors: UNAVAILABLE if the address cannot be bound; those of auth::LoadTlsFiles (naming the
  // key and file) if TLS is configured and its files are unusable.
  static StatusOr<std::unique_ptr<GrpcServer>> Start(const config::GrpcServer& config,
                                                     core::FileManager* core, unsigned workers,
                                                     auth::AccessPolicy policy = {},
                                                     metrics::Metrics* metrics = nullptr);
  ~GrpcServer();  // Shuts down (deadline 0) if Shutdown was not called.

  // "127.0.0.1:PORT" with the port actually bound (resolves port 0).
  const std::string& address() const { return address_; }
  int port() const { return port_; }

  // Live reload of server.grpc.tls: handshakes that begin after this returns use `files` (as
  // checked by auth::LoadTlsFiles); open connections keep theirs (see reloadable_tls.h).
  // Errors: FAILED_PRECONDITION, changing nothing, if the server runs without TLS or `files`
  // would turn mutual TLS on or off: both need a restart. From the controlling thread.
  Status ReplaceTls(auth::TlsFiles files);

  // Health goes NOT_SERVING, new FileManager calls are refused with UNAVAILABLE, and in-flight
  // calls get until `deadline` to finish before they are cancelled. Then the connections are
  // closed at once, without waiting for idle peers to acknowledge. Blocks until every call has
  // completed.
  void Shutdown(std::chrono::milliseconds deadline);

 private:
  class Impl;
  explicit GrpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string address_;
  int port_ = 0;
};

}  // namespace archivum::api
