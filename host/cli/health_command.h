// `archivum health`: asks the daemon's standard grpc.health.v1.Health service whether it serves.
//
// Debian's gRPC ships neither health.proto nor a generated stub, so the call goes through
// grpc::GenericStub with the two tiny messages encoded by hand: HealthCheckRequest is
// `string service = 1` and HealthCheckResponse is `ServingStatus status = 1` (an enum, a varint on
// the wire). Both are frozen by gRPC's health-checking protocol.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

struct HealthOptions {
  std::string service;  // "" asks about the server as a whole
};

// grpc.health.v1.HealthCheckResponse.ServingStatus values.
enum HealthStatus : int {
  kHealthUnknown = 0,
  kHealthServing = 1,
  kHealthNotServing = 2,
  kHealthServiceUnknown = 3,
};

// Registers the `health` subcommand on `app`, binding its options to *options, which must
// outlive parsing. Returns the subcommand (owned by `app`).
CLI::App* AddHealthCommand(CLI::App& app, HealthOptions* options);

// Calls Health/Check and prints the status name (or {"status":"NAME"} with --json). Returns
// kExitOk only for SERVING; kExitServerError for any other status.
int RunHealth(const HealthOptions& options, const GlobalOptions& globals, const Streams& io);

// The serialized HealthCheckRequest for `service`.
std::string EncodeHealthCheckRequest(std::string_view service);

// The status field of a serialized HealthCheckResponse (0 when absent, as proto3 omits zero);
// nullopt when the bytes are not a valid message.
std::optional<int> DecodeHealthCheckResponse(std::string_view bytes);

// "SERVING", "NOT_SERVING", ...; the number for values this client does not know.
std::string HealthStatusName(int status);

}  // namespace archivum::cli
