#include "api/grpc/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <limits>
#include <vector>

#include "api/grpc/access.h"
#include "api/grpc/call_tracker.h"
#include "api/grpc/file_manager_service.h"
#include "api/grpc/health_service.h"
#include "api/grpc/reloadable_tls.h"
#include "auth/tls_files.h"

namespace archivum::api {

class GrpcServer::Impl {
 public:
  Impl(core::FileManager* core, unsigned workers, const auth::AccessPolicy& policy,
       metrics::Metrics* metrics)
      : pool_(workers),
        service_(core, &pool_, policy, &calls_, metrics),
        health_(policy, &calls_) {}

  CallTracker calls_;  // declared first: outlives the service and every call
  // Null without TLS; outlives server_, which fetches from it.
  std::shared_ptr<ReloadableTls> tls_;
  boost::asio::thread_pool pool_;
  FileManagerService service_;
  HealthService health_;  // declared before server_: outlives it
  std::unique_ptr<grpc::Server> server_;
  bool shut_down_ = false;
};

namespace {

int ClampToInt(uint64_t v) {
  return v > static_cast<uint64_t>(std::numeric_limits<int>::max())
             ? std::numeric_limits<int>::max()
             : static_cast<int>(v);
}

int Millis(std::chrono::milliseconds d) {
  return ClampToInt(static_cast<uint64_t>(d.count()));
}

// The TLS state of a server with config.tls (reloadable, see ReplaceTls); null without TLS.
StatusOr<std::shared_ptr<ReloadableTls>> LoadTls(const config::Tls& tls) {
  if (!tls.enabled()) return std::shared_ptr<ReloadableTls>();
  auto files = auth::LoadTlsFiles(tls, "server.grpc.tls");
  if (!files.ok()) return files.status();
  return ReloadableTls::Create(std::move(*files));
}

}  // namespace

GrpcServer::GrpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcServer::~GrpcServer() {
  Shutdown(std::chrono::milliseconds(0));
}

StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const config::GrpcServer& config,
                                                        core::FileManager* core, unsigned workers,
                                                        auth::AccessPolicy policy,
                                                        metrics::Metrics* metrics) {
  auto tls = LoadTls(config.tls);
  if (!tls.ok()) return tls.status();
  // HealthService replaces gRPC's default one, which could not enforce the access policy.
  grpc::EnableDefaultHealthCheckService(false);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  auto impl = std::make_unique<Impl>(core, workers == 0 ? 1 : workers, policy, metrics);
  impl->tls_ = std::move(*tls);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(
      config.listen, impl->tls_ ? impl->tls_->credentials() : grpc::InsecureServerCredentials(),
      &port);
  builder.RegisterService(&impl->service_);
  builder.RegisterService(&impl->health_);
  if (auto gate = MakeReflectionGate(policy)) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::move(gate));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  builder.SetMaxReceiveMessageSize(ClampToInt(config.max_receive_message_bytes));
  builder.SetMaxSendMessageSize(ClampToInt(config.max_send_message_bytes));
  // Without this, gRPC on Linux binds with SO_REUSEPORT and a second daemon on the same port
  // would silently share it instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(config.keepalive.time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Millis(config.keepalive.timeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             config.keepalive.permit_without_calls ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             Millis(config.keepalive.min_ping_interval));
  grpc::ResourceQuota quota("archivum");
  if (config.resource_quota_bytes > 0) quota.Resize(config.resource_quota_bytes);
  if (config.max_threads > 0) quota.SetMaxThreads(config.max_threads);
  builder.SetResourceQuota(quota);

  impl->server_ = builder.BuildAndStart();
  if (!impl->server_ || port == 0) {
    return Unavailable("cannot listen for gRPC on " + config.listen +
                       " (address in use, or not an address of this machine)");
  }
  impl->health_.SetServing(::aichemist_archivum::FileManager::service_full_name(), true);
  impl->health_.SetServing("", true);

  std::unique_ptr<GrpcServer> server(new GrpcServer(std::move(impl)));
  server->port_ = port;
  const std::string& listen = config.listen;
  server->address_ = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  return server;
}

Status GrpcServer::ReplaceTls(auth::TlsFiles files) {
  if (!impl_ || !impl_->tls_) {
    return FailedPrecondition("server.grpc.tls: the gRPC listener runs without TLS");
  }
  if (files.mutual() != impl_->tls_->mutual()) {
    return FailedPrecondition("server.grpc.tls.client_ca: mutual TLS cannot be turned on or off");
  }
  impl_->tls_->Replace(std::move(files));
  return Status::Ok();
}

void GrpcServer::Shutdown(std::chrono::milliseconds deadline) {
  if (!impl_ || impl_->shut_down_) return;
  impl_->shut_down_ = true;
  // The calls are drained here rather than by gRPC's graceful shutdown, which would also wait
  // for every idle connection's peer to acknowledge GOAWAY (call_tracker.h): new calls are
  // refused with UNAVAILABLE, and the ones in flight get until the deadline to finish. Refusing
  // starts before health reports NOT_SERVING, so a client that sees NOT_SERVING is refused.
  impl_->calls_.BeginDrain();
  impl_->health_.Shutdown();
  const bool idle = impl_->calls_.WaitIdle(std::chrono::steady_clock::now() + deadline);
  if (!idle) {
    spdlog::warn("gRPC: {} call(s) still running at the shutdown deadline; cancelling them",
                 impl_->calls_.active());
  }
  // Immediately: cancels whatever still runs (calls past the deadline; health watches, and a
  // reflection or health call that raced the drain) and closes the connections without waiting
  // for their peers.
  impl_->server_->Shutdown(std::chrono::system_clock::now());
  // Calls cancelled here see IsCancelled() and return; the pool then drains.
  impl_->pool_.join();
  impl_->server_->Wait();
}

}  // namespace archivum::api
