// grpc.health.v1.Health, served by the daemon itself rather than by gRPC's default health
// service, so that it can enforce the access policy like every other service (the default one
// cannot be wrapped).
//
// Semantics follow the standard service: Check answers SERVING / NOT_SERVING for a registered
// service name ("" is the server as a whole) and NOT_FOUND for others; Watch sends the current
// status (SERVICE_UNKNOWN for an unregistered name) and then every change. Shutdown turns every
// service NOT_SERVING for good; open Watch calls receive that and then end with UNAVAILABLE, so
// a watching load balancer never holds up a graceful shutdown.
//
// Thread safety: every method is safe from any thread. Lifetime: the service must outlive the
// gRPC server it is registered with (every Watch call is done once the server has shut down).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "auth/access_policy.h"
#include "health.grpc.pb.h"

namespace archivum::api {

class HealthService final : public ::grpc::health::v1::Health::CallbackService {
 public:
  explicit HealthService(auth::AccessPolicy policy) : policy_(std::move(policy)) {}

  // Registers or updates `service`. Ignored after Shutdown.
  void SetServing(const std::string& service, bool serving);
  // Every service NOT_SERVING from now on; watchers are told and their calls end.
  void Shutdown();

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx,
                                  const ::grpc::health::v1::HealthCheckRequest* request,
                                  ::grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<::grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* ctx,
      const ::grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class WatchReactor;
  using ServingStatus = ::grpc::health::v1::HealthCheckResponse::ServingStatus;

  ServingStatus StatusLocked(const std::string& service) const;  // requires mu_
  void Unregister(WatchReactor* watcher);

  const auth::AccessPolicy policy_;
  mutable std::mutex mu_;
  std::map<std::string, bool> serving_;  // guarded by mu_
  std::set<WatchReactor*> watchers_;     // guarded by mu_; each removes itself in OnDone
  bool shut_down_ = false;               // guarded by mu_
};

}  // namespace archivum::api
