#include "api/http/json_mapping.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>
#include <string>

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

// Nested messages whose enum values are checked; deeper ones (only recursive types such as
// google.protobuf.Struct reach it) are left to protobuf alone.
constexpr int kMaxEnumCheckDepth = 16;

// protobuf's parser, told to ignore unknown fields, also drops an enum name it does not know,
// so a misspelled value ("sort": "SORT_BIGGEST") would silently mean the default: each string
// given for an enum field of `type` (and of its nested messages) must name one of its values.
Status CheckEnumNames(const nlohmann::json& object, const google::protobuf::Descriptor* type,
                      int depth) {
  using google::protobuf::FieldDescriptor;
  if (!object.is_object() || depth > kMaxEnumCheckDepth) return Status::Ok();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (f->is_map()) continue;
    auto it = object.find(f->json_name());
    if (it == object.end()) it = object.find(f->name());
    if (it == object.end()) continue;
    const bool repeated = f->is_repeated() && it->is_array();
    const nlohmann::json one = nlohmann::json::array({*it});
    for (const nlohmann::json& v : repeated ? *it : one) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        ARCHIVUM_RETURN_IF_ERROR(CheckEnumNames(v, f->message_type(), depth + 1));
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM && v.is_string() &&
                 f->enum_type()->FindValueByName(v.get_ref<const std::string&>()) == nullptr) {
        std::string names;
        for (int k = 0; k < f->enum_type()->value_count(); ++k) {
          names += (k == 0 ? "" : ", ") + f->enum_type()->value(k)->name();
        }
        return InvalidArgument("invalid JSON for " + type->full_name() + ": field '" +
                               f->json_name() + "' has no value named '" +
                               v.get_ref<const std::string&>() + "'; expected one of " + names);
      }
    }
  }
  return Status::Ok();
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
  // protobuf accepted it, so it is well-formed JSON.
  const nlohmann::json parsed =
      nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  return CheckEnumNames(parsed, message->GetDescriptor(), 0);
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
