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
// Both methods take raw bytes and parse them here, as FileManager's do (raw_unary_call.h): a
// request that is not a valid HealthCheckRequest is answered INVALID_ARGUMENT, saying so, where
// gRPC's typed handlers would answer UNIMPLEMENTED with no message.
//
// Thread safety: every method is safe from any thread. Lifetime: the service must outlive the
// gRPC server it is registered with (every Watch call is done once the server has shut down).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "api/grpc/call_tracker.h"
#include "auth/access_policy.h"
#include "health.grpc.pb.h"

namespace archivum::api {

namespace internal {
// The generated service with both methods on raw bytes.
using HealthBase = ::grpc::health::v1::Health::WithRawCallbackMethod_Check<
    ::grpc::health::v1::Health::WithRawCallbackMethod_Watch<::grpc::health::v1::Health::Service>>;
}  // namespace internal

class HealthService final : public internal::HealthBase {
 public:
  // `calls` (null: nothing counted) must outlive the gRPC server.
  explicit HealthService(auth::AccessPolicy policy, CallTracker* calls = nullptr)
      : policy_(std::move(policy)), calls_(calls) {}

  // Registers or updates `service`. Ignored after Shutdown.
  void SetServing(const std::string& service, bool serving);
  // Every service NOT_SERVING from now on; watchers are told and their calls end.
  void Shutdown();

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(grpc::CallbackServerContext* ctx,
                                                    const grpc::ByteBuffer* request) override;

 private:
  class WatchReactor;
  using ServingStatus = ::grpc::health::v1::HealthCheckResponse::ServingStatus;

  ServingStatus StatusLocked(const std::string& service) const;  // requires mu_
  void Unregister(WatchReactor* watcher);

  const auth::AccessPolicy policy_;
  CallTracker* const calls_;
  mutable std::mutex mu_;
  std::map<std::string, bool> serving_;  // guarded by mu_
  std::set<WatchReactor*> watchers_;     // guarded by mu_; each removes itself in OnDone
  bool shut_down_ = false;               // guarded by mu_
};

}  // namespace archivum::api
