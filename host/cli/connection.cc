#include "cli/connection.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cmath>

#include "cli/exit_codes.h"
#include "cli/text.h"

namespace archivum::cli {
namespace {

using Clock = std::chrono::system_clock;

// Hit lists and documents with many findings can outgrow gRPC's 4 MiB default.
constexpr int kMaxReceiveMessageBytes = 64 << 20;

// Waits until the channel is READY. Unlike Channel::WaitForConnected, which keeps retrying
// through TRANSIENT_FAILURE until the deadline, this gives up at the first failed attempt:
// a refused connection is reported at once instead of after the whole budget, and only a
// connection attempt that hangs runs into the deadline.
grpc::Status WaitUntilConnected(grpc::Channel& channel, std::optional<Clock::time_point> deadline,
                                const std::string& server, Timeout budget) {
  for (;;) {
    const grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
    if (state == GRPC_CHANNEL_READY) return grpc::Status::OK;
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      return {grpc::StatusCode::UNAVAILABLE,
              "cannot connect to " + server + " (is archivumd running there?)"};
    }
    const bool changed = deadline ? channel.WaitForStateChange(state, *deadline)
                                  : channel.WaitForStateChange(state, Clock::time_point::max());
    if (!changed) {
      return {grpc::StatusCode::DEADLINE_EXCEEDED,
              "no connection to " + server + " within " +
                  FormatDuration(budget.value_or(std::chrono::milliseconds(0)))};
    }
  }
}

}  // namespace

Timeout ResolveTimeout(std::optional<double> flag_seconds, Timeout command_default) {
  if (!flag_seconds) return command_default;
  if (*flag_seconds <= 0) return std::nullopt;
  const auto ms = static_cast<std::int64_t>(std::llround(*flag_seconds * 1000.0));
  return std::chrono::milliseconds(std::max<std::int64_t>(ms, 1));
}

int RunRpc(const GlobalOptions& globals, Timeout command_default, std::ostream& err,
           const RpcCall& call) {
  const Timeout budget = ResolveTimeout(globals.timeout_seconds, command_default);
  std::optional<Clock::time_point> deadline;
  if (budget) deadline = Clock::now() + *budget;

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  const std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(globals.server, grpc::InsecureChannelCredentials(), args);

  if (grpc::Status connected = WaitUntilConnected(*channel, deadline, globals.server, budget);
      !connected.ok()) {
    err << ErrorLine(connected) << '\n';
    return kExitUnreachable;
  }

  grpc::ClientContext context;
  if (deadline) context.set_deadline(*deadline);
  const grpc::Status status = call(channel, context);
  if (!status.ok()) err << ErrorLine(status) << '\n';
  return ExitCodeForCall(status);
}

}  // namespace archivum::cli
