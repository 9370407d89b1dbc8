#include "api/http/json_mapping.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "api/http/analyze_json.h"
#include "common/ascii.h"

namespace archivum::api::gateway {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

unsigned HttpStatusFromCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kCancelled: return 499;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted: return 409;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kUnknown:
    case StatusCode::kInternal:
    case StatusCode::kDataLoss: return 500;
  }
  return 500;
}

std::string ErrorJson(const Status& status) {
  // Ordered as google.rpc.Status declares its fields.
  nlohmann::ordered_json body = {{"code", static_cast<int>(status.code())},
                                 {"message", status.message()},
                                 {"details", nlohmann::ordered_json::array()}};
  // Messages can quote client input or file names, which need not be valid UTF-8.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

bool IsJsonContentType(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  if (!EqualsIgnoreAsciiCase(Trim(content_type.substr(0, semi)), "application/json")) return false;
  std::string_view params = semi == std::string_view::npos ? "" : content_type.substr(semi + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    const std::string_view param = Trim(params.substr(0, next));
    params = next == std::string_view::npos ? "" : params.substr(next + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreAsciiCase(Trim(param.substr(0, eq)), "charset")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!EqualsIgnoreAsciiCase(value, "utf-8") && !EqualsIgnoreAsciiCase(value, "utf8"))
      return false;
  }
  return true;
}

Status ParseJsonBody(std::string_view body, google::protobuf::Message* message) {
  if (Trim(body).empty()) return Status::Ok();
  // The hot request has a direct parser for the common shapes; protobuf handles the rest.
  if (auto* analyze =
          google::protobuf::DynamicCastToGenerated<::aichemist_archivum::AnalyzeRequest>(message);
      analyze != nullptr && ParseAnalyzeRequestJson(body, analyze)) {
    return Status::Ok();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message, options);
  if (!st.ok()) {
    return InvalidArgument("invalid JSON for " + message->GetDescriptor()->full_name() + ": " +
                           std::string(st.message()));
  }
  return Status::Ok();
}

StatusOr<std::string> PrintJson(const google::protobuf::Message& message) {
  std::string out;
  const Status st = AppendJson(message, &out);
  if (!st.ok()) return st;
  return out;
}

Status AppendJson(const google::protobuf::Message& message, std::string* out) {
  // The hot reply is written directly when it can be; protobuf prints the rest.
  if (const auto* analyze =
          google::protobuf::DynamicCastToGenerated<::aichemist_archivum::AnalyzeResponse>(
              &message)) {
    const size_t start = out->size();
    if (PrintAnalyzeResponseJson(*analyze, out)) return Status::Ok();
    out->resize(start);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string printed;
  const auto st = google::protobuf::util::MessageToJsonString(message, &printed, options);
  if (!st.ok()) {
    return Internal("cannot print " + message.GetDescriptor()->full_name() +
                    " as JSON: " + std::string(st.message()));
  }
  out->append(printed);
  return Status::Ok();
}

}  // namespace archivum::api::gateway
