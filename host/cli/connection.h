// Connecting to the daemon and running one call against it with the CLI's deadline rules and
// error reporting, so every subcommand fails the same way.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>

#include "cli/command.h"

namespace archivum::cli {

// A time budget for a whole command (connecting plus the call); nullopt means no deadline.
using Timeout = std::optional<std::chrono::milliseconds>;

// Default budget of the quick, read-only commands (analyze, get, plugins, health).
inline constexpr std::chrono::milliseconds kDefaultCallTimeout = std::chrono::seconds(30);

// The budget a command runs with: the command's default when --timeout was not given, none for
// `--timeout 0`, otherwise the given seconds (at least 1 ms). Precondition: flag >= 0.
Timeout ResolveTimeout(std::optional<double> flag_seconds, Timeout command_default);

// Makes the call on a connected channel with `context` already carrying the deadline, and
// returns its status. It may be invoked at most once per RunRpc.
using RpcCall =
    std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, grpc::ClientContext&)>;

// Connects to globals.server, then runs `call` with the deadline from ResolveTimeout, both
// within the same budget. Returns the exit code: kExitOk when the call succeeded (the caller
// prints the result), otherwise the matching code after writing "error: CODE: message" to err:
// kExitUnreachable when no connection was established (refused: at once; hanging: when the
// budget runs out) or the call failed UNAVAILABLE; kExitServerError for any other failure.
int RunRpc(const GlobalOptions& globals, Timeout command_default, std::ostream& err,
           const RpcCall& call);

}  // namespace archivum::cli
