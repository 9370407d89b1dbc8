// grpc.health.v1.Health, served by the daemon itself rather than by gRPC's default health
// service, so that it can enforce the access policy like every other service (the default one
// cannot be wrapped).
//
// Semantics follow the standard service: Check answers SERVING / NOT_SERVING for a registered
// service name ("" is the server as a whole) and NOT_FOUND for others; Watch sends the current
// status (SERVICE_UNKNOWN for an unregistered name) and then every change. Shutdown turns every
// service NOT_SERVING for good; open Watch calls receive that and then end with UNAVAILABLE, so
// a watching load balancer never holds up a graceful shutdown. With a CallTracker, every call is
// counted until gRPC is done with it, so that shutdown waits for the last NOT_SERVING to be sent
// (health calls are never refused: during shutdown they answer NOT_SERVING).
//
// Thread safety: every method is safe from any thread. Lifetime: the service must outlive the
// gRPC server it is registered with (every Watch call is done once the server has shut down).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "api/grpc/arena_allocator.h"
#include "api/grpc/call_tracker.h"
#include "auth/access_policy.h"
#include "health.grpc.pb.h"

namespace archivum::api {

class HealthService final : public ::grpc::health::v1::Health::CallbackService {
 public:
  // `calls` (null: nothing counted) must outlive the gRPC server.
  explicit HealthService(auth::AccessPolicy policy, CallTracker* calls = nullptr)
      : policy_(std::move(policy)), calls_(calls), check_allocator_(calls) {
    SetMessageAllocatorFor_Check(&check_allocator_);
  }

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
  CallTracker* const calls_;
  ArenaMessageAllocator<::grpc::health::v1::HealthCheckRequest,
                        ::grpc::health::v1::HealthCheckResponse, 512>
      check_allocator_;
  mutable std::mutex mu_;
  std::map<std::string, bool> serving_;  // guarded by mu_
  std::set<WatchReactor*> watchers_;     // guarded by mu_; each removes itself in OnDone
  bool shut_down_ = false;               // guarded by mu_
};

}  // namespace archivum::api
