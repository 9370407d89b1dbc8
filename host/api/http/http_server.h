// The JSON/HTTP gateway: HTTP/1.1 served by the daemon itself (Boost.Beast on Boost.Asio),
// calling the same service core as gRPC, in-process.
//
// Routes (see router.h for the rules): every RPC at POST /v1/<snake_case(method)> and at
// POST /aichemist_archivum.FileManager/<Method>; GET with query parameters for unary RPCs; the
// original design's POST /ingest and POST /analyze; GET /v1/plugins and GET /v1/documents;
// GET /healthz, GET /readyz and GET /metrics (Prometheus text format). Bodies and replies are
// proto3 JSON; errors are google.rpc.Status JSON with grpc-gateway's HTTP status mapping;
// server-streaming RPCs answer newline-delimited JSON; Upload takes the raw request body (?name=...
// or X-Archivum-Name), streamed to the core.
//
// Limits (config::HttpServer): at most max_connections connections (a connection beyond that is
// accepted, answered 503 UNAVAILABLE and closed); request heads over max_header_bytes get 431 and
// JSON bodies over max_body_bytes get 413 (Upload bodies are bounded by the core's
// ingest.max_file_size instead, and never held in memory whole); a new connection must deliver
// its request head within header_timeout; between keep-alive requests a connection may stay
// silent for idle_timeout, after which the next head again has header_timeout; every body read
// and response write must make progress within idle_timeout. A connection that exceeds a timeout
// is closed.
//
// Security: plain HTTP, or HTTPS from config.tls (TLS 1.2 or later; with client_ca, a client
// must present a certificate signed by it or the handshake fails). With `policy` enabled, every
// request but /healthz, /readyz and /metrics (those too unless policy.open_health) must carry
// `Authorization: Bearer <token>`; others get 401 UNAUTHENTICATED with a Bearer challenge.
//
// Threading: a small fixed number of I/O threads, each running its own Asio io_context with its
// share of the connections; calls the core declares short (FileManager::AnalyzeMayRunOnIoThread and
// the like) run on the I/O thread that read them, every other call on a pool of `workers` threads.
//
// Lifecycle: Start → (serving) → Shutdown → destroy. Thread safety: Start, Shutdown and the
// destructor from one controlling thread (never from an I/O or worker thread); address() from
// any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "auth/access_policy.h"
#include "common/status.h"
#include "config/config.h"
#include "core/file_manager.h"
#include "metrics/metrics.h"

namespace archivum::api {

class HttpServer {
 public:
  // Health answers; called on I/O threads, so they must be thread-safe and must not block.
  // An empty function counts as true.
  struct Hooks {
    std::function<bool()> serving;  // GET /healthz: 200 SERVING or 503 NOT_SERVING
    std::function<bool()> ready;    // GET /readyz: 200 READY or 503 NOT_READY
  };

  // Binds config.listen (port 0 picks a free port) and starts serving `core`, which must outlive
  // the server, with `workers` threads for the calls (0 means 1), admitting requests per
  // `policy`. With `metrics` (may be null; must outlive the server), GET /metrics serves them
  // (authorized like /healthz) and every RPC's duration and status is recorded in them.
  // Errors: UNAVAILABLE if the address cannot be resolved or bound; those of auth::LoadTlsFiles
  // (naming the key and file) if TLS is configured and its files are unusable.
  static StatusOr<std::unique_ptr<HttpServer>> Start(const config::HttpServer& config,
                                                     core::FileManager* core, Hooks hooks,
                                                     unsigned workers,
                                                     auth::AccessPolicy policy = {},
                                                     metrics::Metrics* metrics = nullptr);
  ~HttpServer();  // Shuts down (deadline 0) if Shutdown was not called.

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "HOST:PORT" with the port actually bound ("127.0.0.1:PORT" for a 127.0.0.1 listen address).
  const std::string& address() const { return address_; }

  // Live reload of the certificate, key and client CA (server.http.tls), in two steps so that a
  // reload can check everything before it changes anything: LoadTls reads and checks the files
  // (errors as Start's); UseTls puts the result in force for connections accepted afterwards,
  // while open connections keep the TLS context they were made with.
  struct TlsSetup;  // opaque; shared by the connections made with it
  static StatusOr<std::shared_ptr<const TlsSetup>> LoadTls(const config::Tls& tls);
  // Precondition: the server was started with TLS and `setup` is from LoadTls of an enabled
  // config::Tls (turning TLS on or off needs a restart). From the controlling thread.
  void UseTls(std::shared_ptr<const TlsSetup> setup);

  // Stops accepting; /healthz turns NOT_SERVING; idle connections close at once and busy ones
  // after their current response. Calls still running at `deadline` are cancelled (the core sees
  // CallContext::IsCancelled()) and their connections closed. Blocks until every call has
  // returned and every connection is closed. Idempotent.
  void Shutdown(std::chrono::milliseconds deadline);

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace archivum::api
