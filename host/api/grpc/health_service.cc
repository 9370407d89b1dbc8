#include "api/grpc/health_service.h"

#include <optional>
#include <utility>

#include "api/grpc/access.h"
#include "api/grpc/raw_unary_call.h"

namespace archivum::api {

namespace health = ::grpc::health::v1;

// One Watch call. Lock order: HealthService::mu_, then mu_.
class HealthService::WatchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  WatchReactor(HealthService* service, std::string name, CallTracker::Ticket ticket)
      : ticket_(std::move(ticket)), service_(service), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // Queues `status` unless it is what the client already has (or will get next). `last`: the
  // server is shutting down; finish once it is written. Called with the service's mu_ held.
  void Update(ServingStatus status, bool last) {
    std::lock_guard lock(mu_);
    last_ = last_ || last;
    if (status != latest_) {
      latest_ = status;
      next_ = status;
    }
    PumpLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;  // the client is gone
    PumpLocked();
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    PumpLocked();
  }

  void OnDone() override {
    service_->Unregister(this);
    delete this;
  }

 private:
  // Starts the next write, or finishes: at once when cancelled (after the write in flight
  // returns), after the last write when the server shuts down.
  void PumpLocked() {
    if (finished_ || writing_) return;
    if (cancelled_) {
      finished_ = true;
      Finish(grpc::Status::CANCELLED);
      return;
    }
    if (next_) {
      health::HealthCheckResponse response;
      response.set_status(*next_);
      next_.reset();
      if (grpc::Status st = SerializeMessage(response, &response_); !st.ok()) {
        finished_ = true;
        Finish(st);
        return;
      }
      writing_ = true;
      StartWrite(&response_);
      return;
    }
    if (last_) {
      finished_ = true;
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
    }
  }

  CallTracker::Ticket ticket_;  // counts the call until OnDone deletes the reactor
  HealthService* const service_;
  const std::string name_;
  std::mutex mu_;
  grpc::ByteBuffer response_;  // the serialized write in flight; guarded by mu_
  ServingStatus latest_ = health::HealthCheckResponse::UNKNOWN;  // guarded by mu_
  std::optional<ServingStatus> next_;                            // guarded by mu_
  bool writing_ = false;                                         // guarded by mu_
  bool cancelled_ = false;                                       // guarded by mu_
  bool last_ = false;                                            // guarded by mu_
  bool finished_ = false;                                        // guarded by mu_
};

HealthService::ServingStatus HealthService::StatusLocked(const std::string& service) const {
  const auto it = serving_.find(service);
  if (it == serving_.end()) return health::HealthCheckResponse::SERVICE_UNKNOWN;
  return it->second && !shut_down_ ? health::HealthCheckResponse::SERVING
                                   : health::HealthCheckResponse::NOT_SERVING;
}

void HealthService::SetServing(const std::string& service, bool serving) {
  std::lock_guard lock(mu_);
  if (shut_down_) return;
  serving_[service] = serving;
  for (WatchReactor* w : watchers_) {
    if (w->name() == service) w->Update(StatusLocked(service), /*last=*/false);
  }
}

void HealthService::Shutdown() {
  std::lock_guard lock(mu_);
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& [name, serving] : serving_) serving = false;
  for (WatchReactor* w : watchers_) w->Update(StatusLocked(w->name()), /*last=*/true);
}

void HealthService::Unregister(WatchReactor* watcher) {
  std::lock_guard lock(mu_);
  watchers_.erase(watcher);
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* ctx,
                                               const grpc::ByteBuffer* raw_request,
                                               grpc::ByteBuffer* raw_response) {
  // A health answer is a few bytes: a small arena block will do.
  auto* call = new RawUnaryCall<health::HealthCheckRequest, health::HealthCheckResponse, 512>(
      CallTracker::EnterIfAny(calls_), raw_response);
  if (Status st = Authorize(policy_, *ctx, /*health=*/true); !st.ok()) {
    call->Complete(st);
    return call;
  }
  if (Status st = ParseMessage(*raw_request, call->request()); !st.ok()) {
    call->Complete(st);
    return call;
  }
  const std::string& service = call->request()->service();
  ServingStatus status;
  {
    std::lock_guard lock(mu_);
    status = StatusLocked(service);
  }
  if (status == health::HealthCheckResponse::SERVICE_UNKNOWN) {
    call->Complete(NotFound("unknown service '" + service + "'"));
    return call;
  }
  call->response()->set_status(status);
  call->Complete(Status::Ok());
  return call;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* HealthService::Watch(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* raw_request) {
  if (Status st = Authorize(policy_, *ctx, /*health=*/true); !st.ok()) {
    return new RejectedWriteReactor<grpc::ByteBuffer>(st);
  }
  health::HealthCheckRequest request;
  if (Status st = ParseMessage(*raw_request, &request); !st.ok()) {
    return new RejectedWriteReactor<grpc::ByteBuffer>(st);
  }
  auto* watcher = new WatchReactor(this, request.service(), CallTracker::EnterIfAny(calls_));
  std::lock_guard lock(mu_);
  watchers_.insert(watcher);
  watcher->Update(StatusLocked(request.service()), /*last=*/shut_down_);
  return watcher;
}

}  // namespace archivum::api
