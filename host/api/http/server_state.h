// What the listener, every connection and HttpServer share: configuration, routes, invokers,
// the worker pool, the health hooks, and the registry of live connections that enforces
// max_connections and lets Shutdown reach every connection.
//
// Ownership: held by shared_ptr (HttpServer, the listener and each Session), so a connection
// finishing on a worker thread never outlives it. The pool is owned by HttpServer, which joins it
// only after every connection is gone.
//
// Thread safety: the const members are immutable after construction; the registry is guarded
// by mu_; hooks must be safe to call from any thread and must not block (they run on I/O
// threads).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "api/http/http_server.h"
#include "api/http/openapi.h"
#include "api/http/router.h"
#include "api/http/service_binding.h"
#include "api/http/static_assets.h"
#include "auth/access_policy.h"
#include "config/config.h"
#include "metrics/metrics.h"

namespace archivum::api::gateway {

class Session;

class ServerState {
 public:
  ServerState(const config::HttpServer& config, const google::protobuf::ServiceDescriptor* service,
              Bindings bindings, HttpServer::Hooks hooks, boost::asio::thread_pool* pool,
              auth::AccessPolicy policy = {},
              std::shared_ptr<boost::asio::ssl::context> tls = nullptr,
              metrics::Metrics* metrics = nullptr)
      : config(config),
        router(service),
        bindings(std::move(bindings)),
        hooks(std::move(hooks)),
        pool(pool),
        policy(std::move(policy)),
        tls(std::move(tls)),
        assets([this, service] { return BuildOpenApi(service, router, this->policy); }),
        metrics(metrics),
        rpc_series_(RpcSeriesOf(service, metrics)) {}

  const config::HttpServer config;
  const Router router;
  const Bindings bindings;
  const HttpServer::Hooks hooks;
  boost::asio::thread_pool* const pool;
  const auth::AccessPolicy policy;
  // Null for plain HTTP. OpenSSL contexts are safe to share between connections once set up.
  // The one a server started with: new connections use CurrentTls().
  const std::shared_ptr<boost::asio::ssl::context> tls;

  // The context new TLS connections handshake with: `tls`, or the last ReplaceTls(). A
  // connection holds the one it was made with until it closes, so a reload (ReplaceTls) never
  // touches a connection already open. Thread-safe.
  std::shared_ptr<boost::asio::ssl::context> CurrentTls() const;
  // Precondition: `tls` and `context` are both set (TLS stays on or off for a server's life).
  void ReplaceTls(std::shared_ptr<boost::asio::ssl::context> context);
  // The UI, the API explorer and /openapi.json (built from `router` on first request).
  const StaticAssets assets;
  // GET /metrics' source, and what every call is recorded in; null: none (GET /metrics is 404).
  metrics::Metrics* const metrics;

  // The metrics series of `method` (a method of the service), null without metrics.
  metrics::RpcSeries* rpc_series(const google::protobuf::MethodDescriptor* method) const {
    const auto index = static_cast<size_t>(method->index());
    return index < rpc_series_.size() ? rpc_series_[index] : nullptr;
  }

  // A connection's slot in the registry; releasing it (on destruction) frees the slot. A Session
  // declares it first, so the slot is freed only after the socket and timers are destroyed.
  class Slot {
   public:
    Slot(std::shared_ptr<ServerState> state, uint64_t id) : state_(std::move(state)), id_(id) {}
    ~Slot() { state_->Release(id_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    uint64_t id() const { return id_; }

   private:
    std::shared_ptr<ServerState> state_;
    uint64_t id_;
  };

  // Reserves a connection slot: nullopt when max_connections are live or the server drains.
  std::optional<uint64_t> TryAdmit();
  // Makes an admitted connection reachable by Snapshot().
  void Attach(uint64_t id, std::weak_ptr<Session> session);
  // Stops admitting; returns the live connections (drop the references promptly: they keep the
  // connections alive).
  std::vector<std::shared_ptr<Session>> BeginDrain();
  std::vector<std::shared_ptr<Session>> Snapshot();
  // Blocks until no connection is live or `deadline` passes; true if none is live.
  bool WaitForNone(std::chrono::steady_clock::time_point deadline);
  // Blocks until no connection is live.
  void WaitForNone();
  bool draining() const;

 private:
  void Release(uint64_t id);
  static std::vector<metrics::RpcSeries*> RpcSeriesOf(
      const google::protobuf::ServiceDescriptor* service, metrics::Metrics* metrics) {
    std::vector<metrics::RpcSeries*> out;
    if (metrics == nullptr) return out;
    for (int i = 0; i < service->method_count(); ++i) {
      out.push_back(metrics->Rpc(metrics::Transport::kHttp, service->method(i)->name()));
    }
    return out;
  }

  // By method index in the service; empty without metrics.
  const std::vector<metrics::RpcSeries*> rpc_series_;

  mutable std::mutex mu_;
  std::condition_variable none_live_;
  std::map<uint64_t, std::weak_ptr<Session>> live_;  // guarded by mu_
  uint64_t next_id_ = 1;                             // guarded by mu_
  bool draining_ = false;                            // guarded by mu_
  mutable std::mutex tls_mu_;
  std::shared_ptr<boost::asio::ssl::context> current_tls_ = tls;  // guarded by tls_mu_
};

}  // namespace archivum::api::gateway
