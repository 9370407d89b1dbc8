// Process exit codes of `archivum`, and how gRPC outcomes map onto them.
//
// Scripts branch on these, so they are part of the CLI's interface (listed in `--help`) and only
// ever gain new values.
#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

namespace archivum::cli {

enum ExitCode : int {
  kExitOk = 0,
  // The server answered with an error, or `health` found it not SERVING.
  kExitServerError = 1,
  // Bad command line (unknown option, missing argument, bad value).
  kExitUsage = 2,
  // No connection to the server: refused, unresolvable, or not established before the deadline.
  kExitUnreachable = 3,
};

// The canonical upper-snake name of a gRPC status code ("NOT_FOUND"); "CODE_<n>" for values
// outside google.rpc.Code (IngestError.code arrives as a plain int32 from the server).
std::string StatusCodeName(int code);
inline std::string StatusCodeName(grpc::StatusCode code) {
  return StatusCodeName(static_cast<int>(code));
}

// Exit code for the status of a call made after the connection was established: OK → 0,
// UNAVAILABLE (the server went away or refused the call) → 3, anything else → 1.
ExitCode ExitCodeForCall(const grpc::Status& status);

// The stderr line for a failed status: "error: <CODE>: <message>" with the message sanitized for
// the terminal, without a trailing newline.
std::string ErrorLine(const grpc::Status& status);

}  // namespace archivum::cli
