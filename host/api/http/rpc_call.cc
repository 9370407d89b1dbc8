#include "api/http/rpc_call.h"

#include "api/http/json_mapping.h"
#include "api/http/query_params.h"

namespace archivum::api::gateway {

JsonReply ErrorReply(const Status& status) {
  return ErrorReply(HttpStatusFromCode(status.code()), status);
}

JsonReply ErrorReply(unsigned http_status, const Status& status) {
  JsonReply reply{http_status, ErrorJson(status)};
  reply.code = status.code();
  return reply;
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

// A media route's reply: the response's `data` bytes, served as its `mime` (GetThumbnail's
// Thumbnail). The type is one the host checked when the plugin gave the image; anything else is
// refused rather than served.
JsonReply MediaReply(const google::protobuf::Message& response) {
  const auto* descriptor = response.GetDescriptor();
  const auto* reflection = response.GetReflection();
  const auto* mime = descriptor->FindFieldByName("mime");
  const auto* data = descriptor->FindFieldByName("data");
  using FD = google::protobuf::FieldDescriptor;
  if (mime == nullptr || data == nullptr || mime->type() != FD::TYPE_STRING ||
      data->type() != FD::TYPE_BYTES || mime->is_repeated() || data->is_repeated()) {
    return ErrorReply(Internal("the method's response is not an image"));
  }
  std::string type = reflection->GetString(response, mime);
  if (type != "image/webp" && type != "image/jpeg" && type != "image/png") {
    return ErrorReply(Internal("refusing to serve a thumbnail of type " + type));
  }
  return JsonReply{200, reflection->GetString(response, data), std::move(type)};
}

JsonReply RunPrepared(const Route& route, PreparedUnary& call, const CallContext& ctx,
                      std::string buffer) {
  const auto* method = route.method;
  const Status st = Guarded(
      method->name(), [&] { return call.invoker->unary(*call.request, ctx, call.response.get()); });
  if (!st.ok()) return ErrorReply(st);

  if (route.media) return MediaReply(*call.response);
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
