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
                                const std::string& server, bool tls, Timeout budget) {
  for (;;) {
    const grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
    if (state == GRPC_CHANNEL_READY) return grpc::Status::OK;
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      // gRPC does not say why a connection failed; name the likely causes for this transport.
      return {grpc::StatusCode::UNAVAILABLE,
              tls ? "cannot connect to " + server +
                        " over TLS (is archivumd running there with TLS? a server certificate "
                        "--tls-ca does not trust or not issued for that name, or a missing or "
                        "refused client certificate, also fail here)"
                  : "cannot connect to " + server +
                        " (is archivumd running there? if it requires TLS, add --tls)"};
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
  const Security& security = globals.security;
  security.Apply(&args);
  if (!security.authorization.empty() && !security.tls && !IsLoopbackTarget(globals.server)) {
    err << "warning: sending the token to " << globals.server
        << " without TLS: anyone on the network path can read it (add --tls)\n";
  }
  const std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(globals.server, security.ChannelCredentials(), args);

  if (grpc::Status connected =
          WaitUntilConnected(*channel, deadline, globals.server, security.tls, budget);
      !connected.ok()) {
    err << ErrorLine(connected) << '\n';
    return kExitUnreachable;
  }

  grpc::ClientContext context;
  if (deadline) context.set_deadline(*deadline);
  if (!security.authorization.empty()) context.AddMetadata("authorization", security.authorization);
  const grpc::Status status = call(channel, context);
  if (!status.ok()) {
    err << ErrorLine(status) << '\n';
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
        security.authorization.empty()) {
      err << "hint: the server requires a token: pass --token or set ARCHIVUM_TOKEN\n";
    }
  }
  return ExitCodeForCall(status);
}

}  // namespace archivum::cli
