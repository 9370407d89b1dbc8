#include "cli/health_command.h"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <CLI/CLI.hpp>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/connection.h"
#include "cli/exit_codes.h"

namespace archivum::cli {
namespace {

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";
constexpr int kServiceField = 1;  // HealthCheckRequest.service
constexpr int kStatusField = 1;   // HealthCheckResponse.status

}  // namespace

std::string EncodeHealthCheckRequest(std::string_view service) {
  google::protobuf::UnknownFieldSet message;
  if (!service.empty()) message.AddLengthDelimited(kServiceField, std::string(service));
  std::string bytes;
  message.SerializeToString(&bytes);
  return bytes;
}

std::optional<int> DecodeHealthCheckResponse(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return std::nullopt;
  }
  google::protobuf::UnknownFieldSet message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  int status = kHealthUnknown;
  // Protobuf semantics: the last occurrence of a singular field wins; other fields are ignored.
  for (int i = 0; i < message.field_count(); ++i) {
    const google::protobuf::UnknownField& field = message.field(i);
    if (field.number() != kStatusField) continue;
    if (field.type() != google::protobuf::UnknownField::TYPE_VARINT) return std::nullopt;
    status = static_cast<int>(static_cast<std::int32_t>(field.varint()));
  }
  return status;
}

std::string HealthStatusName(int status) {
  switch (status) {
    case kHealthUnknown: return "UNKNOWN";
    case kHealthServing: return "SERVING";
    case kHealthNotServing: return "NOT_SERVING";
    case kHealthServiceUnknown: return "SERVICE_UNKNOWN";
    default: return std::to_string(status);
  }
}

CLI::App* AddHealthCommand(CLI::App& app, HealthOptions* options) {
  CLI::App* cmd = app.add_subcommand("health", "Check that the daemon serves; exit 0 if SERVING");
  cmd->footer(
      "Asks the standard grpc.health.v1.Health service and prints SERVING, NOT_SERVING, ...\n"
      "Exits 0 only for SERVING.");
  cmd->add_option("--service", options->service,
                  "Ask about one service (e.g. aichemist_archivum.FileManager) instead of the "
                  "whole server");
  return cmd;
}

int RunHealth(const HealthOptions& options, const GlobalOptions& globals, const Streams& io) {
  int status = kHealthUnknown;
  const int code =
      RunRpc(globals, kDefaultCallTimeout, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               grpc::GenericStub stub(channel);
               grpc::Slice request_slice(EncodeHealthCheckRequest(options.service));
               const grpc::ByteBuffer request(&request_slice, 1);
               grpc::ByteBuffer response;
               // GenericStub's unary call is callback-only; the CLI has nothing else to do
               // meanwhile.
               std::promise<grpc::Status> done;
               stub.UnaryCall(&context, kCheckMethod, grpc::StubOptions(), &request, &response,
                              [&done](grpc::Status s) { done.set_value(std::move(s)); });
               grpc::Status call_status = done.get_future().get();
               if (!call_status.ok()) return call_status;

               std::vector<grpc::Slice> slices;
               if (!response.Dump(&slices).ok()) {
                 return grpc::Status(grpc::StatusCode::INTERNAL, "unreadable health response");
               }
               std::string bytes;
               for (const grpc::Slice& slice : slices) {
                 bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
               }
               const std::optional<int> decoded = DecodeHealthCheckResponse(bytes);
               if (!decoded) {
                 return grpc::Status(grpc::StatusCode::INTERNAL, "malformed HealthCheckResponse");
               }
               status = *decoded;
               return grpc::Status::OK;
             });
  if (code != kExitOk) return code;

  if (globals.json) {
    io.out << nlohmann::json{{"status", HealthStatusName(status)}}.dump() << '\n';
  } else {
    io.out << HealthStatusName(status) << '\n';
  }
  return status == kHealthServing ? kExitOk : kExitServerError;
}

}  // namespace archivum::cli
