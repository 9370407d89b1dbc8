#include "api/grpc/access.h"

#include <spdlog/spdlog.h>

#include <string>

namespace archivum::api {
namespace {

namespace exp = grpc::experimental;

constexpr std::string_view kReflectionPrefix = "/grpc.reflection.";

class ReflectionGate final : public exp::Interceptor {
 public:
  ReflectionGate(exp::ServerRpcInfo* info, const auth::AccessPolicy* policy)
      : info_(info), policy_(policy) {}

  void Intercept(exp::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            exp::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto* metadata = methods->GetRecvInitialMetadata();
      const Status st = metadata == nullptr
                            ? policy_->Authorize(std::nullopt, /*health=*/true)
                            : policy_->Authorize(AuthorizationOf(*metadata), /*health=*/true);
      if (!st.ok()) {
        spdlog::debug("gRPC {}: refused: {}", info_->method(), st.message());
        info_->server_context()->TryCancel();
      }
    }
    methods->Proceed();
  }

 private:
  exp::ServerRpcInfo* info_;
  const auth::AccessPolicy* policy_;
};

class ReflectionGateFactory final : public exp::ServerInterceptorFactoryInterface {
 public:
  explicit ReflectionGateFactory(auth::AccessPolicy policy) : policy_(std::move(policy)) {}

  exp::Interceptor* CreateServerInterceptor(exp::ServerRpcInfo* info) override {
    const std::string_view method = info->method() == nullptr ? "" : info->method();
    if (method.substr(0, kReflectionPrefix.size()) != kReflectionPrefix) return nullptr;
    return new ReflectionGate(info, &policy_);
  }

 private:
  const auth::AccessPolicy policy_;  // outlives every interceptor: the server owns the factory
};

}  // namespace

std::optional<std::string_view> AuthorizationOf(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

Status Authorize(const auth::AccessPolicy& policy, const grpc::CallbackServerContext& ctx,
                 bool health) {
  if (!policy.Requires(health)) return Status::Ok();
  return policy.Authorize(AuthorizationOf(ctx.client_metadata()), health);
}

std::unique_ptr<exp::ServerInterceptorFactoryInterface> MakeReflectionGate(
    const auth::AccessPolicy& policy) {
  if (!policy.Requires(/*health=*/true)) return nullptr;
  return std::make_unique<ReflectionGateFactory>(policy);
}

}  // namespace archivum::api
