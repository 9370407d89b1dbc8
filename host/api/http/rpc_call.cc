#include "api/http/rpc_call.h"

#include "api/http/json_mapping.h"
#include "api/http/query_params.h"

namespace archivum::api::gateway {

JsonReply ErrorReply(const Status& status) {
  return ErrorReply(HttpStatusFromCode(status.code()), status);
}

JsonReply ErrorReply(unsigned http_status, const Status& status) {
  return JsonReply{http_status, ErrorJson(status)};
}

Status UnboundMethod(const google::protobuf::MethodDescriptor* method) {
  return Unimplemented("method " + method->full_name() + " is not available over HTTP");
}

std::optional<JsonReply> BuildRequest(const Route& route, const HttpCallInput& input,
                                      google::protobuf::Message* request) {
  Status st;
  if (route.from_query) {
    st = MergeQueryParams(input.query, request);
  } else if (!input.body.empty() && !IsJsonContentType(input.content_type)) {
    return ErrorReply(
        415, InvalidArgument(
                 "Content-Type must be application/json, got '" +
                 (input.content_type.empty() ? std::string("(none)") : input.content_type) + "'"));
  } else {
    st = ParseJsonBody(input.body, request);
  }
  if (!st.ok()) return ErrorReply(st);
  return std::nullopt;
}

std::optional<JsonReply> PrepareUnary(const Bindings& bindings, const Route& route,
                                      const HttpCallInput& input, PreparedUnary* call) {
  const auto* method = route.method;
  const auto it = bindings.find(method->name());
  if (it == bindings.end() || !it->second.unary) return ErrorReply(UnboundMethod(method));

  call->invoker = &it->second;
  const auto reuse = [](std::unique_ptr<google::protobuf::Message>& message,
                        const google::protobuf::Descriptor* type) {
    if (message && message->GetDescriptor() == type) {
      message->Clear();
    } else {
      message = NewMessage(type);
    }
  };
  reuse(call->request, method->input_type());
  reuse(call->response, method->output_type());
  if (!call->request || !call->response) {
    return ErrorReply(Internal("no generated type for " + method->full_name()));
  }
  return BuildRequest(route, input, call->request.get());
}

JsonReply RunPrepared(const Route& route, PreparedUnary& call, const CallContext& ctx,
                      std::string buffer) {
  const auto* method = route.method;
  const Status st = Guarded(
      method->name(), [&] { return call.invoker->unary(*call.request, ctx, call.response.get()); });
  if (!st.ok()) return ErrorReply(st);

  buffer.clear();
  const Status printed = AppendJson(*call.response, &buffer);
  if (!printed.ok()) return ErrorReply(printed);
  if (route.seed_status) {
    // The original design answered {"status":"ok"}; the summary's fields follow it.
    std::string body =
        buffer == "{}" ? "{\"status\":\"ok\"}" : "{\"status\":\"ok\"," + buffer.substr(1);
    return JsonReply{200, std::move(body)};
  }
  return JsonReply{200, std::move(buffer)};
}

JsonReply RunUnary(const Bindings& bindings, const Route& route, const HttpCallInput& input,
                   const CallContext& ctx) {
  PreparedUnary call;
  if (auto error = PrepareUnary(bindings, route, input, &call)) return std::move(*error);
  return RunPrepared(route, call, ctx);
}

}  // namespace archivum::api::gateway
