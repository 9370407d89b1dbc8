#include "cli/json_output.h"

#include <google/protobuf/util/json_util.h>

#include "cli/exit_codes.h"

namespace archivum::cli {

std::optional<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return std::nullopt;
  }
  return json;
}

int PrintJson(const google::protobuf::Message& message, const Streams& io) {
  const std::optional<std::string> json = ToJson(message);
  if (!json) {
    io.err << "error: INTERNAL: cannot convert " << message.GetTypeName() << " to JSON\n";
    return kExitServerError;
  }
  io.out << *json << '\n';
  return kExitOk;
}

}  // namespace archivum::cli
