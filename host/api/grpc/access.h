// Enforcing auth::AccessPolicy on gRPC calls.
//
// FileManager and Health check the caller at the start of each handler (FileManagerService,
// HealthService) with Authorize(), and answer a refused call with UNAUTHENTICATED through the
// reactors below. Reflection is gRPC's own service, which we cannot wrap; ReflectionGate is a
// server interceptor that cancels its unauthenticated calls instead (the client sees CANCELLED:
// gRPC's C++ interceptors cannot fail a call with a status of their choosing), and it is only
// installed when the policy closes health and reflection (auth on, open_health false).
//
// Thread safety: everything here is safe from any gRPC thread.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "api/grpc/status_convert.h"
#include "auth/access_policy.h"

namespace archivum::api {

// The first `authorization` entry of the client's metadata, nullopt if there is none. The view
// points into `metadata`.
std::optional<std::string_view> AuthorizationOf(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// OK, or UNAUTHENTICATED for a call the policy refuses (`health`: health or reflection).
Status Authorize(const auth::AccessPolicy& policy, const grpc::CallbackServerContext& ctx,
                 bool health);

// A server-streaming call answered with `status` and nothing else. Deletes itself when done.
template <typename Response>
class RejectedWriteReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RejectedWriteReactor(const Status& status) { this->Finish(ToGrpc(status)); }
  void OnDone() override { delete this; }
};

// A client-streaming call answered with `status` without reading. Deletes itself when done.
template <typename Request>
class RejectedReadReactor final : public grpc::ServerReadReactor<Request> {
 public:
  explicit RejectedReadReactor(const Status& status) { this->Finish(ToGrpc(status)); }
  void OnDone() override { delete this; }
};

// Cancels reflection calls that `policy` refuses; see the file comment. Returns nullptr when the
// policy leaves reflection open (nothing to install).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeReflectionGate(
    const auth::AccessPolicy& policy);

}  // namespace archivum::api
