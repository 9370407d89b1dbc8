// One RPC over HTTP, independent of the connection: request message from the HTTP request, the
// bound invoker, reply as JSON. The session runs these on a worker thread.
//
// Pure functions over their arguments; reentrant; none throws (an exception escaping the core
// becomes a 500 INTERNAL reply, as in the gRPC transport).
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/http/router.h"
#include "api/http/service_binding.h"
#include "common/call_context.h"
#include "common/guarded.h"
#include "common/status.h"

namespace archivum::api::gateway {

// A complete JSON reply.
struct JsonReply {
  JsonReply() = default;
  JsonReply(unsigned s, std::string b, std::string media = {})
      : status(s), body(std::move(b)), media_type(std::move(media)) {}
  unsigned status = 200;
  std::string body;
  // Empty: application/json. Else a media reply (Route::media): `body` is an image of this type.
  std::string media_type;
  // The status code the reply stands for (set by ErrorReply; OK otherwise), for the metrics.
  StatusCode code = StatusCode::kOk;
};

// google.rpc.Status body with the HTTP status grpc-gateway maps `status`'s code to.
JsonReply ErrorReply(const Status& status);
// The same body with an explicit HTTP status, for transport-level errors (404, 413, 415, ...).
JsonReply ErrorReply(unsigned http_status, const Status& status);

// The parts of an HTTP request a call needs, copied so the call can outlive the parser.
struct HttpCallInput {
  std::string query;         // after '?', still encoded
  std::string content_type;  // empty if absent
  std::string body;
};

// Fills `request` for `route`: from the query string for GET routes, else from the JSON body
// (empty body = empty message). Returns the reply to send instead of calling: 400 for malformed
// JSON or parameters, 415 for a body that is not application/json; nullopt if `request` is ready.
std::optional<JsonReply> BuildRequest(const Route& route, const HttpCallInput& input,
                                      google::protobuf::Message* request);

// A unary call whose request is built, ready to run (PrepareUnary, then RunPrepared). Movable;
// the invoker points into the Bindings it came from, which must outlive it. Its messages can be
// kept for the next call on the same connection (PrepareUnary reuses them), which saves their
// allocation and that of the repeated sub-messages the core adds to a cleared response.
struct PreparedUnary {
  const Invoker* invoker = nullptr;
  std::unique_ptr<google::protobuf::Message> request;
  std::unique_ptr<google::protobuf::Message> response;

  // True if the invoker declares this request short (Invoker::may_run_on_io_thread). Never throws.
  bool may_run_on_io_thread() const {
    return invoker->may_run_on_io_thread && invoker->may_run_on_io_thread(*request);
  }
};

// Looks up the invoker of a unary `route` and builds its request from `input` (BuildRequest).
// Messages `call` already holds are reused, cleared, if they have the method's types; others are
// replaced by new ones. Returns the reply to send instead of calling (501 for an unbound method,
// or BuildRequest's errors); nullopt once `call` is ready.
std::optional<JsonReply> PrepareUnary(const Bindings& bindings, const Route& route,
                                      const HttpCallInput& input, PreparedUnary* call);

// Runs a prepared call and prints its reply. Statuses map per HttpStatusFromCode; the seed route
// POST /ingest gains "status":"ok". `buffer` only lends its capacity to the reply's body (its
// contents are discarded).
JsonReply RunPrepared(const Route& route, PreparedUnary& call, const CallContext& ctx,
                      std::string buffer = {});

// PrepareUnary then RunPrepared: a unary route to completion.
JsonReply RunUnary(const Bindings& bindings, const Route& route, const HttpCallInput& input,
                   const CallContext& ctx);

// The error for a method the descriptor has but `bindings` lacks (or binds with another kind).
Status UnboundMethod(const google::protobuf::MethodDescriptor* method);

}  // namespace archivum::api::gateway
