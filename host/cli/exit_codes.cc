#include "cli/exit_codes.h"

#include <array>

#include "cli/text.h"

namespace archivum::cli {

std::string StatusCodeName(int code) {
  // Indexed by google.rpc.Code, which is dense from 0 to 16.
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  if (code >= 0 && static_cast<std::size_t>(code) < kNames.size()) {
    return std::string(kNames[static_cast<std::size_t>(code)]);
  }
  return "CODE_" + std::to_string(code);
}

ExitCode ExitCodeForCall(const grpc::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) return kExitUnreachable;
  return kExitServerError;
}

std::string ErrorLine(const grpc::Status& status) {
  std::string line = "error: " + StatusCodeName(status.error_code());
  if (!status.error_message().empty()) line += ": " + SafeText(status.error_message());
  return line;
}

}  // namespace archivum::cli
